"""The wheel a learner installs offline: built with no network, installed with no index.

The README's local install for a slow or filtered connection is a wheel and
``pip install --no-index --find-links``. Here the wheel is built from a copy of the sources
(``pip wheel --no-deps --no-build-isolation --no-index``) and installed into a fresh venv
with ``--no-index --no-deps``; the venv borrows numpy, IPython... from this environment
through a ``.pth`` line written after the install, so nothing is downloaded. In that venv
the compiled Chinese catalogs must have shipped and ``adkernel.set_language("zh")`` must
make adkernel speak Chinese.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "adkernel" / "locale"
CATALOGS = Path("adkernel", "locale", "zh_CN", "LC_MESSAGES")
MESSAGE = "The language must be one of {choices}, not {value!r}."  # in engine.po
HAN = re.compile(r"[\u4e00-\u9fff]")

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    from pip._vendor import tomli as tomllib


def _missing_build_requirements() -> list[str]:
    """The build backend's requirements (pyproject.toml) this environment lacks."""
    from packaging.requirements import Requirement  # pip's own dependency, and ours via pytest

    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    missing = []
    for spec in build["requires"]:
        req = Requirement(spec)
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            missing.append(spec)
            continue
        if not req.specifier.contains(installed, prereleases=True):
            missing.append(f"{spec} (have {installed})")
    return missing


def _offline_env(**extra) -> dict:
    # no PYTHONPATH: pointing at a checkout with an adkernel.egg-info (the Binder build's
    # editable install makes one), it would make pip call adkernel installed already
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PIP_") and k != "PYTHONPATH"}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env.update(extra)
    return env


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    missing = _missing_build_requirements()
    if missing:
        pytest.skip(f"the build backend's requirements are missing ({', '.join(missing)}); "
                    "`pip install -e '.[test]'` installs them")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy: building writes build/ and *.egg-info next to the sources
    shutil.copytree(ROOT / "adkernel", src / "adkernel",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(dist), str(src)], env=_offline_env(), cwd=tmp)
    (built,) = dist.glob("adkernel-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_the_compiled_catalogs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = sorted(p.stem for p in (ROOT / CATALOGS).glob("*.po"))
    assert sources, "no .po catalogs in the source tree"
    for stem in sources:
        assert f"{CATALOGS.as_posix()}/{stem}.mo" in names, f"{stem}.mo is not in the wheel"
    assert not any(n.startswith(("tests/", "course/")) for n in names)
    assert "adkernel/_exercise_hashes.json" in names  # grade checks the exercises against it


@pytest.mark.slow
def test_installed_from_the_wheel_with_no_index_adkernel_speaks_chinese(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # what the README tells a learner, with this environment's pip driving the venv
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index",
          "--no-deps", "--find-links", str(wheel.parent), "adkernel"], env=_offline_env(),
         cwd=tmp_path)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True, check=True)
    venv_site = Path(purelib.stdout.strip())
    assert (venv_site / "adkernel" / "__init__.py").exists()
    # numpy, IPython, matplotlib... from this environment, after adkernel's own folder
    (venv_site / "zz_borrowed.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")

    script = f"""
import json, sys
import adkernel
from adkernel.engine import i18n
from pathlib import Path
catalogs = Path(adkernel.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES"
adkernel.set_language("zh")
zh = i18n._({MESSAGE!r})
try:
    adkernel.set_language("klingon")
except ValueError as err:
    raised = str(err)
adkernel.set_language("en")
en = i18n._({MESSAGE!r})
print(json.dumps({{"file": adkernel.__file__, "locale": str(i18n.LOCALE_DIR),
                  "mo": sorted(p.name for p in catalogs.glob("*.mo")),
                  "zh": zh, "en": en, "raised": raised}}))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ADKERNEL_LANG")}
    done = _run([str(python), "-I", "-c", script], env=env, cwd=tmp_path)
    found = json.loads(done.stdout)

    assert Path(found["file"]).is_relative_to(venv), found["file"]  # the wheel's copy
    assert Path(found["locale"]).is_relative_to(venv)
    stems = sorted(p.stem for p in (ROOT / CATALOGS).glob("*.po"))
    assert found["mo"] == [f"{s}.mo" for s in stems]
    for name in found["mo"]:
        shipped = (Path(found["file"]).parent / "locale/zh_CN/LC_MESSAGES" / name).read_bytes()
        assert shipped == (ROOT / CATALOGS / name).read_bytes(), f"{name} differs from git's"
    assert found["en"] == MESSAGE
    assert found["zh"] != MESSAGE and HAN.search(found["zh"]), found["zh"]
    assert "{choices}" in found["zh"] and "{value!r}" in found["zh"]
    assert "'klingon'" in found["raised"] and HAN.search(found["raised"]), found["raised"]


def test_the_readme_gives_the_offline_install_in_both_languages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    en = readme.index("### No Binder, or a slow or filtered connection")
    zh = readme.index("### 没有 Binder、网络慢或受限时（中文）")
    for part, lang, mirror in ((readme[en:zh], "en", "https://<your-mirror>/simple"),
                               (readme[zh:], "zh", "https://<你的镜像>/simple")):
        assert f"pip install -i {mirror} -e \".[course]\"" in part
        assert "python3 -m pip wheel -w wheels \".[course]\"" in part
        assert "pip install --no-index --find-links wheels \"adkernel[course]\"" in part
        assert "pip install --no-index --no-deps wheels/adkernel-*.whl" in part
        assert f"jupyter lab course/{lang}/00-index.ipynb" in part
    # the set-up's two commands are still the first two code blocks
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    assert blocks[0].endswith('pip install -e ".[course]" && .venv/bin/jupyter lab '
                              "course/en/00-index.ipynb")
    assert blocks[1].endswith('pip install -e ".[test]" && .venv/bin/python -m pytest')
