"""The serving code's side: the exact, verified bytes a reference means."""

from __future__ import annotations

import os
import subprocess
import tempfile
import shutil
from pathlib import Path

from support import ProjectTestCase, mr, sha256_of


class ResolveAndPullTest(ProjectTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.version = self.registry.register("fraud", ["model.bin", "tokenizer"], stage="production")

    def test_resolve_gives_local_files_whose_sha256_matches(self) -> None:
        resolved = self.registry.resolve("fraud@production")
        self.assertIsInstance(resolved, mr.Resolved)
        self.assertEqual((resolved.model, resolved.number, resolved.stage, resolved.pinned), ("fraud", 1, "Production", True))
        self.assertEqual(resolved.fingerprint, self.version.fingerprint)
        self.assertEqual([a.path for a in resolved.artifacts], ["model.bin", "tokenizer/vocab.json"])
        for artifact in resolved.artifacts:
            self.assertTrue(artifact.blob_path.is_file())
            self.assertEqual(sha256_of(artifact.blob_path), artifact.sha256)
            self.assertEqual(artifact.sha256, sha256_of(self.project / artifact.path))
            self.assertEqual(artifact.blob_path.stat().st_size, artifact.size)

    def test_a_bare_name_resolves_to_the_latest_version_with_a_warning(self) -> None:
        with self.assertWarns(mr.RegistryWarning) as warned:
            resolved = self.registry.resolve("fraud")
        self.assertFalse(resolved.pinned)
        self.assertIn("'fraud' resolved to the latest version, fraud/1; deployments should pin", str(warned.warning))
        self.assertEqual(warned.filename, __file__, "the warning names the caller's line, not the client's")

    def test_pull_writes_verified_files_and_overwrites_a_different_one_only_with_force(self) -> None:
        target = self.project / "serving" / "model"
        pulled = self.registry.pull("fraud@production", target)
        self.assertEqual((pulled.model, pulled.number, pulled.to), ("fraud", 1, target))
        self.assertEqual([(f.path, f.status) for f in pulled.files], [("model.bin", "written"), ("tokenizer/vocab.json", "written")])
        for name, content in self.FILES.items():
            if name != "data/train.csv":
                self.assertEqual((target / name).read_bytes(), content)
        self.assertEqual([f.status for f in self.registry.pull("fraud/1", target).files], ["unchanged", "unchanged"])

        (target / "model.bin").write_bytes(b"edited by hand")
        with self.assertRaises(mr.RegistryError) as refused:
            self.registry.pull("fraud/1", target)
        self.assertEqual(refused.exception.code, "FILE_EXISTS")
        self.assertEqual((target / "model.bin").read_bytes(), b"edited by hand", "nothing was written")
        self.registry.pull("fraud/1", target, force=True)
        self.assertEqual(sha256_of(target / "model.bin"), sha256_of(self.project / "model.bin"))

    def test_resolve_path_gives_a_verified_folder_per_version(self) -> None:
        cache = self.project / "cache"
        folder = mr.resolve_path("fraud@production", registry=self.registry, cache_dir=cache)
        self.assertEqual(folder, cache / self.version.fingerprint)
        self.assertEqual(sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()), ["model.bin", "tokenizer/vocab.json"])
        self.assertEqual(sha256_of(folder / "model.bin"), sha256_of(self.project / "model.bin"))

        # A damaged copy is found by hashing and written again from the verified blob.
        (folder / "model.bin").write_bytes(b"damaged")
        (folder / "tokenizer" / "vocab.json").unlink()
        self.assertEqual(mr.resolve_path("fraud@production", registry=self.registry, cache_dir=cache), folder)
        self.assertEqual(sha256_of(folder / "model.bin"), sha256_of(self.project / "model.bin"))
        self.assertEqual((folder / "tokenizer" / "vocab.json").read_bytes(), self.FILES["tokenizer/vocab.json"])

        # A new Production version is a new folder: the files a running service has open never change.
        self.write({"model.bin": b"second weights"})
        second = self.registry.register("fraud", ["model.bin", "tokenizer"])
        self.registry.promote(second.ref, "production")
        newer = mr.resolve_path("fraud@production", registry=self.registry, cache_dir=cache)
        self.assertEqual(newer, cache / second.fingerprint)
        self.assertEqual((newer / "model.bin").read_bytes(), b"second weights")
        assert self.version.artifacts is not None
        self.assertEqual(sha256_of(folder / "model.bin"), self.version.artifacts[0].sha256, "the first version's folder is untouched")

    def test_resolve_path_finds_the_registry_and_cache_from_the_environment(self) -> None:
        os.environ["MREG_REGISTRY"] = str(self.project / ".modelregistry")
        os.environ["MREG_CACHE"] = str(self.project / "env-cache")
        folder = mr.resolve_path("fraud/1")
        self.assertEqual(folder, self.project / "env-cache" / self.version.fingerprint)
        self.assertTrue((folder / "model.bin").is_file())


class SharedStoreTest(ProjectTestCase):
    def mreg(self, cwd: Path, *args: str) -> None:
        subprocess.run(["node", os.environ["MREG_CLI"], *args], cwd=cwd, check=True, capture_output=True)

    def test_resolve_fetches_artifacts_from_the_shared_store_and_checks_them(self) -> None:
        store = Path(tempfile.mkdtemp(prefix="modelregistry-store-"))
        self.addCleanup(shutil.rmtree, store, True)
        shutil.rmtree(store)
        self.mreg(self.project, "init", "--store", str(store))
        trained = self.registry.register("fraud", "model.bin", stage="production")
        self.mreg(self.project, "sync")

        server = Path(tempfile.mkdtemp(prefix="modelregistry-server-"))
        self.addCleanup(shutil.rmtree, server, True)
        self.mreg(server, "init", "--store", str(store))
        self.mreg(server, "sync")
        serving = mr.Registry(server / ".modelregistry", cwd=server)
        sha256 = sha256_of(self.project / "model.bin")
        self.assertEqual(list((server / ".modelregistry").rglob(sha256)), [], "sync brings the log, not the artifacts")
        [artifact] = serving.resolve("fraud@production").artifacts
        self.assertTrue(str(artifact.blob_path).startswith(str(server / ".modelregistry")))
        self.assertEqual(sha256_of(artifact.blob_path), sha256)
        folder = mr.resolve_path("fraud@production", registry=serving, cache_dir=server / "cache")
        self.assertEqual(folder.name, trained.fingerprint)
        self.assertEqual((folder / "model.bin").read_bytes(), self.FILES["model.bin"])
