"""Drives `mreg serve` with the real MLflow Python client (run by hand; CI cannot install MLflow).

Needs MLflow 2.17.2 importable by this Python (e.g. MLflow's source tree and its dependencies on
PYTHONPATH) and a built CLI (`node esbuild.mjs`). Run from the repository root:

    PYTHONPATH=<mlflow site> python3 test/manual/mlflowClient.py

It builds a throw-away project in a temporary folder, registers a plain weight file and an MLflow
model folder (python_function flavor through a tiny loader module this script writes itself), starts
`mreg serve --port 0` there, and exercises the client calls serving code makes. Every check raises on
a wrong answer; the output is what each call returned.
"""

import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

REPO = Path(__file__).resolve().parents[2]
CLI = os.environ.get("MREG_CLI", str(REPO / "dist" / "cli.js"))


def mreg(cwd, *args):
    done = subprocess.run(["node", CLI, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "MREG_ACTOR": "trainer@example.com"})
    if done.returncode != 0:
        raise RuntimeError(f"mreg {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def build_project(root: Path) -> None:
    (root / "model.onnx").write_bytes(b"fraud weights v1")
    mreg(root, "register", "fraud", "model.onnx", "--metric", "auc=0.97", "--metric-direction", "auc=max", "--no-discover")
    (root / "model.onnx").write_bytes(b"fraud weights v2")
    mreg(root, "register", "fraud", "model.onnx", "--metric", "auc=0.87", "--metric-direction", "auc=max", "--no-discover")
    model = root / "scorer"
    (model / "code").mkdir(parents=True)
    (model / "data").mkdir()
    (model / "MLmodel").write_text(textwrap.dedent("""\
        flavors:
          python_function:
            loader_module: tiny_loader
            code: code
            data: data/weights.json
        mlflow_version: 2.17.2
        """))
    (model / "data" / "weights.json").write_text('{"slope": 2.0, "intercept": 1.0}\n')
    (model / "code" / "tiny_loader.py").write_text(textwrap.dedent("""\
        import json


        class LinearScorer:
            def __init__(self, weights):
                self.weights = weights

            def predict(self, frame, params=None):
                return frame["x"] * self.weights["slope"] + self.weights["intercept"]


        def _load_pyfunc(path):
            with open(path) as file:
                return LinearScorer(json.load(file))
        """))
    mreg(root, "register", "scorer", "scorer", "--no-discover")
    (root / ".modelregistry" / "policy.yaml").write_text(
        'rules:\n  - models: "fraud"\n    stages: Production\n    thresholds: ["auc >= 0.95"]\n')


def start_server(root: Path, *options):
    server = subprocess.Popen(["node", CLI, "serve", "--port", "0", *options], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    match = re.search(r"http://\S+?(?=\s|\)|$)", line)
    if not match:
        server.kill()
        raise RuntimeError(f"mreg serve printed no URL: {line}{server.stderr.read()}")
    return server, match.group(0)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        build_project(root)
        for check, options in ((exercise, ("--actor", "mlflow-check")), (exercise_token_read_only, ("--token", TOKEN, "--read-only"))):
            server, url = start_server(root, *options)
            try:
                check(url, root)
            finally:
                server.terminate()
                server.wait(10)
                print("server stderr:", server.stderr.read().strip() or "(empty)")
        print("ALL CHECKS PASSED")


TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def exercise_token_read_only(url: str, root: Path) -> None:
    print("--- mreg serve --token … --read-only")
    mlflow.set_tracking_uri(url)
    os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
    try:
        MlflowClient().search_registered_models()
        raise AssertionError("a request without the token should be refused")
    except MlflowException as refusal:
        print("without MLFLOW_TRACKING_TOKEN:", refusal.error_code)
        assert refusal.error_code == "UNAUTHENTICATED"
    os.environ["MLFLOW_TRACKING_TOKEN"] = TOKEN
    try:
        client = MlflowClient()
        print("with the token, search_registered_models:", [model.name for model in client.search_registered_models()])
        with tempfile.TemporaryDirectory() as target:
            downloaded = Path(mlflow.artifacts.download_artifacts("models:/fraud/Production", dst_path=target))
            print("with the token, download_artifacts(models:/fraud/Production):", (downloaded / "model.onnx").read_bytes())
            downloaded = Path(mlflow.artifacts.download_artifacts("models:/fraud@production", dst_path=os.path.join(target, "p")))
            print("with the token, download_artifacts(models:/fraud@production):", (downloaded / "model.onnx").read_bytes())
        prediction = mlflow.pyfunc.load_model("models:/scorer/1").predict(pd.DataFrame({"x": [0.0]}))
        print("with the token, pyfunc.load_model(models:/scorer/1).predict([0]):", list(prediction))
        try:
            client.set_registered_model_alias("fraud", "champion", "1")
            raise AssertionError("a read-only server should refuse")
        except MlflowException as refusal:
            print("read-only set_registered_model_alias:", refusal.error_code, "-", refusal.message)
            assert refusal.error_code == "PERMISSION_DENIED"
    finally:
        os.environ.pop("MLFLOW_TRACKING_TOKEN", None)


def exercise(url: str, root: Path) -> None:
    print("mlflow", mlflow.__version__, "against", url)
    mlflow.set_tracking_uri(url)
    client = MlflowClient()

    names = [model.name for model in client.search_registered_models()]
    print("search_registered_models:", names)
    assert names == ["fraud", "scorer"], names

    model = client.get_registered_model("fraud")
    print("get_registered_model:", model.name, [(v.version, v.current_stage) for v in model.latest_versions])

    versions = client.search_model_versions("name='fraud'")
    print("search_model_versions:", sorted((v.name, v.version, v.current_stage) for v in versions))
    assert sorted(v.version for v in versions) == ["1", "2"]

    promoted = client.transition_model_version_stage("fraud", "1", "Production")
    print("transition fraud/1 -> Production:", promoted.current_stage)
    assert promoted.current_stage == "Production"

    latest = client.get_latest_versions("fraud", stages=["Production"])
    print("get_latest_versions(Production):", [(v.version, v.current_stage, v.user_id) for v in latest])
    assert [v.version for v in latest] == ["1"]

    try:
        client.transition_model_version_stage("fraud", "2", "Production", archive_existing_versions=True)
        raise AssertionError("the gate should have refused fraud/2")
    except MlflowException as refusal:
        print("transition fraud/2 -> Production refused:", refusal.error_code)
        print(refusal.message)
        assert refusal.error_code == "PERMISSION_DENIED" and "auc >= 0.95" in refusal.message
    assert client.get_model_version("fraud", "2").current_stage == "None"
    assert client.get_model_version("fraud", "1").current_stage == "Production"

    client.set_registered_model_alias("scorer", "champion", "1")
    by_alias = client.get_model_version_by_alias("scorer", "champion")
    print("get_model_version_by_alias(scorer, champion):", by_alias.version, by_alias.aliases)
    assert by_alias.version == "1"

    print("get_model_version_download_uri(fraud, 1):", client.get_model_version_download_uri("fraud", "1"))
    with tempfile.TemporaryDirectory() as target:
        downloaded = Path(mlflow.artifacts.download_artifacts("models:/fraud/1", dst_path=target))
        files = sorted(p.relative_to(downloaded).as_posix() for p in downloaded.rglob("*") if p.is_file())
        print("download_artifacts(models:/fraud/1):", files)
        assert (downloaded / "model.onnx").read_bytes() == b"fraud weights v1"

        folder = Path(mlflow.artifacts.download_artifacts("models:/scorer@champion", dst_path=os.path.join(target, "s")))
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        print("download_artifacts(models:/scorer@champion):", files)
        assert "MLmodel" in files and "data/weights.json" in files

    loaded = mlflow.pyfunc.load_model("models:/scorer@champion")
    prediction = loaded.predict(pd.DataFrame({"x": [1.0, 2.0, 3.5]}))
    print("pyfunc.load_model(models:/scorer@champion).predict([1, 2, 3.5]):", list(prediction))
    assert list(prediction) == [3.0, 5.0, 8.0]

    client.delete_registered_model_alias("scorer", "champion")
    try:
        client.get_model_version_by_alias("scorer", "champion")
        raise AssertionError("the alias should be gone")
    except MlflowException as missing:
        print("after delete_registered_model_alias:", missing.error_code)
        assert missing.error_code == "RESOURCE_DOES_NOT_EXIST"

    log = mreg(root, "log", "fraud", "--limit", "1")
    print("audit log, newest fraud event:", log.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
