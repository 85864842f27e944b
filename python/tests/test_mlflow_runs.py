"""Registering a local MLflow run through mreg's own MLflow reader."""

from __future__ import annotations

from support import ProjectTestCase, mr, sha256_of

RUN = "mlruns/0/4f1c2b7d9e8a4c3b"


class RegisterMlflowRunTest(ProjectTestCase):
    def test_reads_params_last_metric_values_and_the_run_id(self) -> None:
        # MLflow's file store, as mlflow.log_param/log_metric/log_model leave it.
        self.write(
            {
                f"{RUN}/meta.yaml": b"run_id: 4f1c2b7d9e8a4c3b\nrun_name: nightly\nexperiment_id: '0'\n",
                f"{RUN}/params/lr": b"0.01",
                f"{RUN}/params/optimizer": b"adam",
                f"{RUN}/metrics/auc": b"1700000000000 0.88 0\n1700000001000 0.91 1\n",
                f"{RUN}/artifacts/model/model.pkl": b"not really a pickle",
            }
        )
        version = mr.register_mlflow_run(self.project / RUN, "fraud", registry=self.registry, inspect=False)
        assert version.artifacts is not None
        self.assertEqual([(a.path, a.sha256) for a in version.artifacts], [("artifacts/model/model.pkl", sha256_of(self.project / RUN / "artifacts/model/model.pkl"))])
        shown = self.registry.show(version.ref)
        self.assertEqual(shown.metrics, {"auc": 0.91})
        # mreg types what MLflow stores as text, as it does --param values.
        self.assertEqual(shown.params, {"lr": 0.01, "optimizer": "adam"})
        self.assertEqual(shown.tags.get("mlflow.run_id"), "4f1c2b7d9e8a4c3b")
