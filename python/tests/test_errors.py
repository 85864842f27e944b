"""Failures as exceptions carrying mreg's own code: gates, missing things, a missing CLI."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from support import BUILT_CLI, ProjectTestCase, mr


class GateFailedTest(ProjectTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.registry.register("fraud", "model.bin", metrics={"auc": 0.90}, metric_directions={"auc": "max"}, stage="production")
        self.write({"model.bin": b"retrained"})
        self.candidate = self.registry.register("fraud", "model.bin", metrics={"auc": 0.87}, metric_directions={"auc": "max"})

    def policy(self, *lines: str) -> None:
        (self.project / ".modelregistry" / "policy.yaml").write_text("\n".join(lines) + "\n")

    def test_a_refused_promotion_raises_with_every_rule_and_changes_nothing(self) -> None:
        self.policy("rules:", "  - models: fraud*", "    stages: Production", '    thresholds: ["auc >= 0.85"]', "    noRegression: [{metric: auc, tolerance: 0.01}]")
        with self.assertRaises(mr.GateFailed) as refused:
            self.registry.promote("fraud/2", "production", reason="try")
        error = refused.exception
        self.assertIsInstance(error, mr.RegistryError)
        self.assertEqual((error.code, error.exit_code), ("GATE_FAILED", 3))
        self.assertRegex(error.message, r"^fraud/2 may not move to Production: 1 of 2 policy rule\(s\) failed")
        evaluation = error.evaluation
        assert evaluation is not None
        self.assertEqual((evaluation.model, evaluation.version, evaluation.stage, evaluation.production, evaluation.passed), ("fraud", 2, "Production", 1, False))
        self.assertEqual([(r.kind, r.rule, r.passed) for r in evaluation.results], [("threshold", "auc >= 0.85", True), ("noRegression", "no regression in auc (tolerance 0.01) vs Production", False)])
        self.assertIn("auc 0.87 vs 0.9 in Production (fraud/1)", evaluation.failed[0].detail)
        self.assertFalse(evaluation.overridable)
        self.assertEqual([(v.number, v.stage) for v in self.registry.versions("fraud")], [(2, "None"), (1, "Production")])
        with self.assertRaises(mr.GateFailed):
            self.registry.promote("fraud/2", "production", reason="hotfix", override=True)

    def test_override_promotes_where_the_policy_allows_it(self) -> None:
        self.policy("rules:", "  - models: fraud", "    stages: Production", '    thresholds: ["auc >= 0.95"]', "    allowOverride: true")
        with self.assertRaises(mr.GateFailed) as refused:
            self.registry.promote("fraud/2", "production")
        assert refused.exception.evaluation is not None
        self.assertTrue(refused.exception.evaluation.overridable)
        promoted = self.registry.promote("fraud/2", "production", reason="hotfix for an outage", override=True)
        self.assertEqual(promoted.stage, "Production")

    def test_registering_straight_into_a_guarded_stage_raises_without_an_evaluation(self) -> None:
        self.policy("rules:", "  - models: fraud", "    stages: Production", '    thresholds: ["auc >= 0.5"]')
        self.write({"model.bin": b"third"})
        with self.assertRaises(mr.GateFailed) as refused:
            self.registry.register("fraud", "model.bin", stage="production")
        self.assertIsNone(refused.exception.evaluation)
        self.assertEqual(len(self.registry.versions("fraud")), 2)


class NotFoundTest(ProjectTestCase):
    def test_a_missing_registry_has_no_models_and_is_not_created_by_reading(self) -> None:
        missing = mr.Registry(self.project / "nowhere" / ".modelregistry")
        self.assertEqual(missing.models(), [])
        with self.assertRaises(mr.NotFound) as raised:
            missing.resolve("fraud@production")
        self.assertEqual((raised.exception.code, raised.exception.exit_code), ("NOT_FOUND", 1))
        self.assertIn("The registry has no models yet", raised.exception.message)
        self.assertFalse((self.project / "nowhere").exists())

    def test_a_missing_model_version_or_stage_raises_not_found(self) -> None:
        self.registry.register("fraud", "model.bin")
        for ref, says in [("churn@production", "No model named 'churn'. Known models: fraud."), ("fraud/7", "has no version 7"), ("fraud@production", "Production")]:
            with self.subTest(ref=ref), self.assertRaises(mr.NotFound) as raised:
                self.registry.resolve(ref)
            self.assertIn(says, raised.exception.message)
        with self.assertRaises(mr.NotFound):
            self.registry.pull("churn/1", self.project / "out")
        with self.assertRaises(mr.NotFound):
            self.registry.versions("churn")

    def test_a_bad_reference_is_invalid_not_missing(self) -> None:
        with self.assertRaises(mr.RegistryError) as raised:
            self.registry.resolve("fraud/zero")
        self.assertNotIsInstance(raised.exception, mr.NotFound)
        self.assertEqual(raised.exception.code, "INVALID_REF")


class CliNotFoundTest(ProjectTestCase):
    def empty_folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="modelregistry-bin-"))
        self.addCleanup(shutil.rmtree, folder, True)
        return folder

    def test_without_mreg_cli_or_mreg_on_path_it_says_how_to_install(self) -> None:
        del os.environ["MREG_CLI"]
        os.environ["PATH"] = str(self.empty_folder())
        with self.assertRaises(mr.CliNotFound) as raised:
            mr.Registry()
        self.assertIn("No `mreg` on PATH and MREG_CLI is not set", str(raised.exception))
        self.assertIn("npm install -g .", str(raised.exception))

    def test_a_mreg_cli_that_is_not_a_file_is_named(self) -> None:
        os.environ["MREG_CLI"] = str(self.project / "dist" / "cli.js")
        with self.assertRaises(mr.CliNotFound) as raised:
            mr.Registry()
        self.assertIn(f"MREG_CLI is set to '{self.project / 'dist' / 'cli.js'}', which is not a file", str(raised.exception))

    def test_mreg_on_path_is_used_when_mreg_cli_is_not_set(self) -> None:
        node = shutil.which("node")
        assert node is not None
        bin_folder = self.empty_folder()
        launcher = bin_folder / "mreg"
        launcher.write_text(f'#!/bin/sh\nexec "{node}" "{BUILT_CLI}" "$@"\n')
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
        del os.environ["MREG_CLI"]
        os.environ["PATH"] = str(bin_folder)
        registry = mr.Registry(self.project / ".modelregistry", cwd=self.project)
        self.assertEqual(registry.cli.command, [str(launcher)])
        self.assertEqual(registry.register("m", "model.bin").number, 1)

    def test_a_relative_mreg_cli_is_taken_from_the_current_directory_not_the_project(self) -> None:
        os.environ["MREG_CLI"] = os.path.relpath(BUILT_CLI)
        registry = mr.Registry(self.project / ".modelregistry", cwd=self.project)
        self.assertEqual(registry.cli.command[-1], str(BUILT_CLI))
        self.assertEqual(registry.register("m", "model.bin").number, 1)

    def test_a_cli_that_prints_no_json_error_is_reported_with_what_it_said(self) -> None:
        old = self.project / "old-cli.js"
        old.write_text("process.stderr.write('mreg: something went wrong\\n'); process.exitCode = 1;\n")
        os.environ["MREG_CLI"] = str(old)
        with self.assertRaises(mr.RegistryError) as raised:
            mr.Registry().models()
        self.assertEqual((raised.exception.code, raised.exception.exit_code), ("INTERNAL", 1))
        self.assertIn("mreg: something went wrong", raised.exception.message)
