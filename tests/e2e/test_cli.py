import subprocess


def run(binary, *args):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=30)


def test_version(portico):
    r = run(portico, "--version")
    assert r.returncode == 0
    assert r.stdout.startswith("portico ")


def test_help_lists_every_command(portico):
    r = run(portico, "--help")
    assert r.returncode == 0
    for name in ("serve", "render", "test-invoke", "validate"):
        assert name in r.stdout


def test_unknown_command_is_an_error(portico):
    r = run(portico, "frobnicate")
    assert r.returncode == 2
    assert "unknown command 'frobnicate'" in r.stderr
