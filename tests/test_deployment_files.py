import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 check=False).returncode == 0:
        return ["docker", "compose"]
    return [shutil.which("docker-compose") or "docker-compose"]


def test_docker_compose_file_is_valid_and_has_every_service():
    env = {**os.environ, "SECRET_KEY": "x", "ALLOWED_HOSTS": "example.org", "POSTGRES_PASSWORD": "x"}
    result = subprocess.run([*_compose(), "config", "--services"], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", "web", "worker", "beat"}


def test_docker_compose_refuses_to_start_without_secrets():
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
    result = subprocess.run([*_compose(), "config"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr
