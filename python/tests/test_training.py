"""The training script's side: registering, promoting, naming and finding versions."""

from __future__ import annotations

import subprocess
import warnings
from typing import Any, Dict, List, Tuple

from support import ProjectTestCase, mr, sha256_of


class RegisterTest(ProjectTestCase):
    def test_records_metrics_params_and_data_with_their_types(self) -> None:
        version = self.registry.register(
            "fraud",
            ["model.bin", "tokenizer"],
            metrics={"auc": 0.93, "latency_ms": 12},
            metric_directions={"auc": "max", "latency_ms": "min"},
            params={"lr": 0.001, "label": "0.1", "seed": 42, "amp": True, "note": None},
            data=["data/train.csv", "s3://bucket/holdout"],
            semver="1.2.0",
            description="retrained on November data",
            tags={"team": "risk"},
        )
        self.assertIsInstance(version, mr.ModelVersion)
        self.assertEqual((version.model, version.number, version.stage, version.semver), ("fraud", 1, "None", "1.2.0"))
        self.assertRegex(version.fingerprint, r"^[0-9a-f]{64}$")
        self.assertEqual(version.description, "retrained on November data")
        self.assertEqual(version.tags, {"team": "risk"})
        assert version.artifacts is not None
        self.assertEqual(
            [(a.path, a.size, a.sha256) for a in version.artifacts],
            [(path, len(self.FILES[path]), sha256_of(self.project / path)) for path in ("model.bin", "tokenizer/vocab.json")],
        )

        shown = self.registry.show("fraud/1")
        self.assertEqual(shown.fingerprint, version.fingerprint)
        self.assertEqual(shown.metrics, {"auc": 0.93, "latency_ms": 12})
        params = shown.params
        assert params is not None
        self.assertEqual(params, {"lr": 0.001, "label": "0.1", "seed": 42, "amp": True, "note": None})
        # A float stays a float and a string a string: "0.1" is not turned into a number.
        self.assertIsInstance(params["label"], str)
        self.assertIsInstance(params["lr"], float)
        self.assertIsInstance(params["amp"], bool)
        assert shown.manifest is not None
        self.assertEqual(shown.manifest["metrics"]["auc"], {"value": 0.93, "direction": "max"})
        data = {entry["uri"]: entry.get("sha256") for entry in shown.manifest["lineage"]["data"]}
        self.assertEqual(data["data/train.csv"], sha256_of(self.project / "data/train.csv"))
        self.assertIn("s3://bucket/holdout", data)

    def test_takes_one_path_as_a_string_and_a_path_that_starts_with_a_dash(self) -> None:
        self.write({"-weights.bin": b"dash"})
        version = self.registry.register("m", "-weights.bin", description="-not a flag")
        assert version.artifacts is not None
        self.assertEqual([a.path for a in version.artifacts], ["-weights.bin"])
        self.assertEqual(version.description, "-not a flag")

    def test_refuses_the_same_version_twice_naming_the_first(self) -> None:
        self.registry.register("m", "model.bin")
        with self.assertRaises(mr.RegistryError) as refused:
            self.registry.register("m", "model.bin")
        self.assertEqual((refused.exception.code, refused.exception.exit_code), ("DUPLICATE", 1))
        self.assertIn("m/1", refused.exception.message)

    def test_refuses_values_mreg_refuses_before_anything_is_written(self) -> None:
        registry_folder = self.project / ".modelregistry"
        cases: List[Tuple[Dict[str, float], Dict[str, Any], str]] = [
            ({"auc": float("nan")}, {}, "'nan' is not a finite number"),
            ({"auc": float("inf")}, {}, "'inf' is not a finite number"),
            ({}, {"lr": float("nan")}, "JSON has no NaN or infinity"),
            ({}, {"layers": [64, 32]}, "a param is a JSON string, number, boolean or null, not an array"),
        ]
        for metrics, params, expected in cases:
            with self.subTest(metrics=metrics, params=params):
                with self.assertRaises(mr.RegistryError) as refused:
                    self.registry.register("m", "model.bin", metrics=metrics, params=params)
                self.assertEqual((refused.exception.code, refused.exception.exit_code), ("USAGE", 2))
                self.assertIn(expected, refused.exception.message)
        names: List[Tuple[str, Dict[str, Any], str]] = [("Bad Name!", {}, "INVALID_NAME"), ("m", {"x" * 251: 1}, "INVALID_INPUT")]
        for model, named_params, code in names:
            with self.subTest(model=model):
                with self.assertRaises(mr.RegistryError) as refused:
                    self.registry.register(model, "model.bin", params=named_params)
                self.assertEqual(refused.exception.code, code)
        self.assertFalse(registry_folder.exists(), "nothing was written, not even the registry folder")

    def test_a_metric_that_is_no_number_is_a_type_error(self) -> None:
        for value in ("0.9", True, None):
            with self.subTest(value=value), self.assertRaises(TypeError):
                self.registry.register("m", "model.bin", metrics={"auc": value})  # type: ignore[dict-item]
        self.assertEqual(self.registry.models(), [])

    def test_finds_the_registry_like_mreg_at_the_git_root(self) -> None:
        subprocess.run(["git", "init", "-q"], cwd=self.project, check=True)
        (self.project / "train").mkdir()
        found = mr.Registry(cwd=self.project / "train")
        found.register("m", "../model.bin", discover=False)
        self.assertTrue((self.project / ".modelregistry" / "registry.json").is_file())
        self.assertEqual([m.name for m in self.registry.models()], ["m"])


class LifecycleTest(ProjectTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.first = self.registry.register("fraud", "model.bin", metrics={"auc": 0.90})
        self.write({"model.bin": b"better weights"})
        self.second = self.registry.register("fraud", "model.bin", metrics={"auc": 0.93})

    def test_promotes_and_archives_the_previous_production_version(self) -> None:
        promoted = self.registry.promote("fraud/1", "production", reason="first release")
        self.assertEqual((promoted.number, promoted.stage), (1, "Production"))
        self.registry.promote("fraud/2", "Production", reason="better AUC on the holdout")
        self.assertEqual([(v.number, v.stage) for v in self.registry.versions("fraud")], [(2, "Production"), (1, "Archived")])
        [model] = self.registry.models()
        self.assertEqual((model.name, model.version_count, model.latest_version, model.production_version), ("fraud", 2, 2, 2))

    def test_aliases_point_at_versions_until_removed(self) -> None:
        aliased = self.registry.alias("fraud/1", "champion", reason="holdout winner")
        self.assertEqual(aliased.aliases, ("champion",))
        self.assertEqual(self.registry.resolve("fraud@champion").number, 1)
        self.registry.unalias("fraud", "champion")
        with self.assertRaises(mr.NotFound) as missing:
            self.registry.resolve("fraud@champion")
        self.assertIn("no alias 'champion'", missing.exception.message)

    def test_searches_with_the_query_language(self) -> None:
        self.registry.promote("fraud/2", "staging")
        hits = self.registry.search("metrics.auc > 0.91 AND stage = 'Staging'")
        self.assertEqual([(hit.model, hit.number) for hit in hits], [("fraud", 2)])
        ordered = self.registry.search("", order_by="metrics.auc ASC")
        self.assertEqual([(hit.number, hit.order_value) for hit in ordered], [(1, 0.90), (2, 0.93)])
        self.assertEqual(len(self.registry.search("", limit=1)), 1)
        with self.assertRaises(mr.RegistryError) as bad:
            self.registry.search("metrics.auc >")
        self.assertEqual(bad.exception.code, "INVALID_INPUT")

    def test_reading_warns_nothing_for_pinned_references(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            self.registry.resolve("fraud/2")
