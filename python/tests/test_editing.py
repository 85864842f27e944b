"""After registration: descriptions and tags edited, versions and models deleted, through ``mreg --json``."""

from __future__ import annotations

from support import ProjectTestCase, mr


class EditingTest(ProjectTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.first = self.registry.register("fraud", "model.bin", tags={"owner": "ml"})
        self.write({"model.bin": b"better weights"})
        self.second = self.registry.register("fraud", "model.bin")

    def test_describes_a_version_and_the_model_without_a_new_version(self) -> None:
        described = self.registry.describe("fraud/1", "baseline -- trained on Q3", reason="for reviewers")
        assert isinstance(described, mr.ModelVersion)
        self.assertEqual((described.number, described.description, described.fingerprint), (1, "baseline -- trained on Q3", self.first.fingerprint))
        cleared = self.registry.describe("fraud/1", None)
        assert isinstance(cleared, mr.ModelVersion)
        self.assertIsNone(cleared.description)
        model = self.registry.describe("fraud", "-scores card payments")
        assert isinstance(model, mr.Model)
        self.assertEqual(model.description, "-scores card payments")
        self.assertEqual(len(self.registry.versions("fraud")), 2)

    def test_sets_and_removes_tags_in_one_call(self) -> None:
        tagged = self.registry.tag("fraud/1", {"team": "risk", "-odd": "a=b"}, remove=["owner"])
        self.assertEqual(tagged.tags, {"team": "risk", "-odd": "a=b"})
        with self.assertRaises(mr.RegistryError) as usage:
            self.registry.tag("fraud/1")
        self.assertEqual(usage.exception.code, "USAGE")

    def test_deletes_a_version_and_says_who_when_and_why_afterwards(self) -> None:
        self.registry.alias("fraud/1", "champion")
        deletion = self.registry.delete("fraud/1", reason="trained on leaked labels")
        self.assertEqual(deletion, mr.Deletion(model="fraud", versions=(mr.DeletedVersion(number=1, stage="None", aliases=("champion",)),), model_deleted=False, reason="trained on leaked labels"))
        self.assertEqual([v.number for v in self.registry.versions("fraud")], [2])
        with self.assertRaises(mr.NotFound) as gone:
            self.registry.show("fraud/1")
        self.assertRegex(gone.exception.message, r"^fraud/1 was deleted on \S+ by trainer@example\.com: trained on leaked labels")

    def test_refuses_to_delete_production_or_without_saying_which_version(self) -> None:
        self.registry.promote("fraud/2", "production")
        with self.assertRaises(mr.RegistryError) as production:
            self.registry.delete("fraud/2", reason="tidy")
        self.assertEqual(production.exception.code, "CONFLICT")
        self.assertIn("is in Production", production.exception.message)
        with self.assertRaises(mr.RegistryError) as bare:
            self.registry.delete("fraud", reason="tidy")
        self.assertIn("names a model, not a version", bare.exception.message)

    def test_deletes_a_whole_model(self) -> None:
        deletion = self.registry.delete_model("fraud", reason="project cancelled")
        self.assertTrue(deletion.model_deleted)
        self.assertEqual([v.number for v in deletion.versions], [2, 1])
        self.assertEqual(self.registry.models(), [])
        with self.assertRaises(mr.RegistryError) as taken:
            self.registry.register("fraud", "model.bin")
        self.assertIn("Model 'fraud' was deleted", taken.exception.message)
