"""The layer rules of ARCHITECTURE.md: Qt only under ui/ (and never in the CLI), and app/ stands alone."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, absolute names, with line numbers (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def _python_files(*folders: str) -> list[Path]:
    found = (p for folder in folders for p in (ROOT / folder).rglob("*.py"))
    return sorted(p for p in found if "__pycache__" not in p.parts)


def _violations(folders: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _python_files(*folders):
        for line, module in _imports(path):
            if module.split(".")[0] in forbidden:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return sorted(set(bad))


def test_the_scan_sees_imports() -> None:
    """Guard against a scan that silently finds nothing."""
    assert len(_python_files("app")) > 10
    modules = {m for _line, m in _imports(ROOT / "ui" / "cli" / "cases.py")}
    assert "app.services.cases" in modules or "app.services" in modules


def test_no_qt_outside_ui() -> None:
    assert _violations(("app", "sync"), QT_PACKAGES) == []


def test_app_imports_neither_sync_nor_ui() -> None:
    assert _violations(("app",), ("sync", "ui")) == []


def test_the_server_does_not_use_the_laptops_services() -> None:
    """The server shares the domain (intake rules, approval content, the JSON codec), never app/services/,
    which is the laptop's workspace, outbox and audit."""
    bad = [v for v in _violations(("sync/server",), ("app",)) if " imports app.services" in v]
    assert bad == []


def test_cli_modules_do_not_import_qt() -> None:
    cli_files = sorted((ROOT / "ui" / "cli").glob("*.py"))
    bad = [f"{p.name}:{line} {m}" for p in cli_files for line, m in _imports(p)
           if m.split(".")[0] in QT_PACKAGES]
    assert bad == []


PROBE = """
import json, sys
from ui import cli
codes = [cli.main(args) for args in ({commands})]
qt = sorted(m for m in sys.modules if m.split('.')[0] in {qt!r})
print(json.dumps({{"codes": codes, "qt": qt}}))
"""


def test_running_the_cli_loads_no_qt(profile: Path) -> None:
    commands = [["--profile", str(profile), "--json", "services", "list"],
                ["--profile", str(profile), "--json", "case", "list"],
                ["--profile", str(profile), "--json", "doctor"]]
    code = PROBE.format(commands=", ".join(repr(c) for c in commands), qt=QT_PACKAGES)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["qt"] == []
    assert result["codes"][:2] == [0, 0]


@pytest.mark.parametrize("args", [["--help"], ["case", "--help"]])
def test_cli_help_imports_no_qt(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ui.cli", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time")]
    assert imported, "importtime printed nothing"
    assert [m for m in imported if m.split(".")[0] in QT_PACKAGES] == []
    # help is read before anything runs: no database, no signing stack (that is what kept it at 2 s)
    heavy = ("sqlalchemy", "sqlcipher3", "pyhanko", "reportlab", "requests")
    assert [m for m in imported if m.split(".")[0] in heavy] == []


def test_tests_keep_secrets_in_memory() -> None:
    """conftest.py swaps the keyring for an in-memory one: no test reaches the machine's keyring or a file."""
    import keyring

    backend = keyring.get_keyring()
    assert type(backend).__name__ == "MemoryKeyring"
    assert not hasattr(backend, "file_path")  # the keyrings.alt file backends have one
    keyring.set_password("loket-test", "siti", "rahasia")
    assert keyring.get_password("loket-test", "siti") == "rahasia"
    keyring.delete_password("loket-test", "siti")
    assert keyring.get_password("loket-test", "siti") is None


SHOWN = """
import json, sys
from ui import cli
profile = sys.argv[1]
cli.main(["--profile", profile, "user", "add-local", "--username", "siti", "--name", "Siti Petugas",
          "--role", "petugas", "--office", "35.73.02.1008"])
"""


def test_case_show_loads_only_what_it_reads(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """``case show`` reads one case: no SQLAlchemy (the light read path's plain SELECTs), no PDF, spreadsheet,
    signing or HTTP stack, and the keyring is the platform's own, asked directly, not found by loading every
    backend keyring ships (macOS's included)."""
    profile = str(tmp_path / "profile")
    made = subprocess.run([sys.executable, "-c", SHOWN
                           + "cli.main(['--profile', profile, '--json', 'case', 'new', '--service', 'SKD', "
                             "'--nik', '3573015708900003', '--name', 'Siti Aminah'])", profile],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert made.returncode == 0, made.stderr[-2000:]
    case = json.loads(made.stdout[made.stdout.index("{"):])["id"]
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ui.cli", "--profile", profile, "case", "show",
                           case[:8]], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Siti Aminah" in proc.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time")}
    heavy = ("sqlalchemy", "alembic", "pyhanko", "reportlab", "openpyxl", "requests", "PySide6",
             "app.signing.keystore", "app.letters", "app.storage.models", "app.storage.db")
    assert sorted(m for m in imported if m.startswith(heavy)) == []
    if sys.platform == "linux":
        assert "keyring.backends.SecretService" in imported
        assert sorted(m for m in imported if m.startswith(("keyring.backends.macOS", "keyring.backends.Windows",
                                                            "keyring.backends.kwallet"))) == []
