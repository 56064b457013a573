import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 check=False).returncode == 0:
        return ["docker", "compose"]
    return [shutil.which("docker-compose") or "docker-compose"]


COMPOSE_ENV = {"SECRET_KEY": "x", "DOMAIN": "familjestod.example.org", "POSTGRES_PASSWORD": "x",
               "TLS": "it@example.org"}


def test_docker_compose_file_is_valid_and_has_every_service():
    env = {**os.environ, **COMPOSE_ENV}
    result = subprocess.run([*_compose(), "config", "--services"], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"proxy", "postgres", "redis", "web", "worker", "beat", "backup"}


def _services():
    """`docker compose config` (YAML) cut into each service's own lines."""
    result = subprocess.run([*_compose(), "config"], cwd=ROOT, env={**os.environ, **COMPOSE_ENV},
                            capture_output=True, text=True, check=True)
    services, current, inside = {}, None, False
    for line in result.stdout.splitlines():
        if not line.startswith(" "):
            inside = line == "services:"
            current = None
            continue
        if inside and re.fullmatch(r"  [a-z]+:", line):
            current = line.strip().rstrip(":")
            services[current] = []
        elif inside and current:
            services[current].append(line)
    return {name: "\n".join(lines) for name, lines in services.items()}


def test_only_the_tls_proxy_is_published_and_it_serves_no_media():
    services = _services()
    published = {name for name, text in services.items() if re.search(r"^    ports:", text, re.M)}
    assert published == {"proxy"}
    assert "published: 443" in services["proxy"] or "443:443" in services["proxy"]
    assert "/data/media" not in services["proxy"]  # media only through the app's access checks
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "file_server" not in caddyfile and "tls {$TLS}" in caddyfile


def test_gunicorn_believes_forwarded_headers_from_the_proxy_only():
    services = _services()
    proxy_address = re.search(r"ipv4_address: ([\d.]+)", services["proxy"]).group(1)
    assert f"FORWARDED_ALLOW_IPS: {proxy_address}" in services["web"]
    assert "gunicorn -c config/gunicorn.py" in services["web"]
    assert "SECURE_PROXY_SSL_HEADER =" not in (ROOT / "config" / "settings" / "production.py").read_text()


def test_the_backup_service_runs_the_documented_script_with_the_media_volume():
    backup = _services()["backup"]
    assert "backup.sh" in backup and "/data/media" in backup and "/backups" in backup


def test_docker_compose_refuses_to_start_without_secrets():
    env = {key: value for key, value in {**os.environ, **COMPOSE_ENV}.items()
           if key not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
    result = subprocess.run([*_compose(), "config"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr
