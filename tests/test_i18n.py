"""One language setting, gettext catalogs in step with the code, switching mid-notebook."""

from __future__ import annotations

import ast
import importlib.util
import re
import threading
from pathlib import Path

import pytest
from lang_scan import cjk_characters, english_words

from adkernel.engine import i18n

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "adkernel"
MESSAGE = "The language must be one of {choices}, not {value!r}."


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return _tool()


@pytest.fixture(scope="module")
def catalogs(tool):
    return tool.read_catalogs()


# -- the catalogs and the code ---------------------------------------------------------

def test_catalogs_match_the_code(tool):
    """Every message in the code has a Chinese entry, none is stale, placeholders agree.

    On failure: ``python tools/i18n.py update``, translate the empty entries in the
    .po files, then ``python tools/i18n.py compile``.
    """
    found = tool.problems()
    assert found == [], "\n".join(found[:40]) + f"\n({len(found)} in all)"


def test_compiled_catalogs_are_built_from_the_po_files(tool):
    stale = tool.compiled_out_of_date()
    assert stale == [], "run `python tools/i18n.py compile`:\n" + "\n".join(stale)


def test_the_catalogs_hold_messages(catalogs):
    sizes = {area: len([m for m in cat if m.id]) for area, cat in catalogs.items()}
    assert set(sizes) >= {"engine"}
    assert sum(sizes.values()) > 0


def _marked_calls():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("_", "N_", "lazy", "ngettext"):
                yield path, node


def test_every_marked_message_is_a_literal():
    """``_(f"...")`` or ``_(name)`` cannot be extracted: the catalog would miss them."""
    bad = []
    for path, node in _marked_calls():
        if path.name == "i18n.py" and path.parent.name == "engine":
            continue  # the machinery itself passes messages through
        first = node.args[0] if node.args else None
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


def _backticked(text: str) -> set[str]:
    inside = re.findall(r"`([^`]+)`", text)
    names = set()
    for chunk in inside:
        names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", chunk))
    return names


def _entries(catalogs):
    for area, cat in catalogs.items():
        for msg in cat:
            if not msg.id:
                continue
            ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
            strings = [msg.string] if isinstance(msg.string, str) else list(msg.string)
            yield area, ids[0], strings


def test_chinese_entries_carry_no_english_words(catalogs):
    """A translation keeps identifiers (code in backticks, placeholders) and nothing else.

    Words the English message itself leaves bare (an op name, an option) may stay too.
    """
    bad = []
    for area, msgid, strings in _entries(catalogs):
        allowed = _backticked(msgid) | set(re.findall(r"\{([A-Za-z_]\w*)", msgid))
        for s in strings:
            english = [w for w in english_words(re.sub(r"\{[^{}]*\}", " ", s), allowed)
                       if w not in _bare_identifiers(msgid)]
            if english:
                bad.append(f"{area}.po {msgid[:60]!r}: {english}")
    assert bad == [], "\n".join(bad[:40]) + f"\n({len(bad)} in all)"


def _bare_identifiers(msgid: str) -> set[str]:
    """Words the English message itself writes as names: ``--watch``, ``persistent=True``."""
    names = set(re.findall(r"--?([a-z][a-z-]*)", msgid))
    names |= set(re.findall(r"\b([A-Za-z_]\w*)=", msgid))
    names |= set(re.findall(r"\b([A-Za-z_]\w*)\(", msgid))
    return {part for name in names for part in name.split("-")} | names


def test_english_messages_carry_no_chinese(catalogs):
    bad = [msgid for _area, msgid, _ in _entries(catalogs) if cjk_characters(msgid)]
    assert bad == []


# -- choosing the language ---------------------------------------------------------------

@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("ADKERNEL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    i18n.set_language(None)
    yield monkeypatch, tmp_path
    i18n.set_language(None)


def test_english_without_any_setting(clean_env):
    assert i18n.get_language() == "en"
    assert i18n._(MESSAGE) == MESSAGE


def test_the_order_setting_environment_folder_locale(clean_env):
    monkeypatch, tmp_path = clean_env
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.get_language() == "zh"  # the locale
    zh_folder = tmp_path / "en" / "zh" / "chapter"
    zh_folder.mkdir(parents=True)
    en_folder = tmp_path / "zh" / "en"
    en_folder.mkdir(parents=True)
    monkeypatch.chdir(en_folder)
    assert i18n.get_language() == "en"  # the nearest folder beats the locale
    monkeypatch.chdir(zh_folder)
    assert i18n.get_language() == "zh"
    monkeypatch.setenv("ADKERNEL_LANG", "en")
    assert i18n.get_language() == "en"  # the environment beats the folder
    i18n.set_language("zh")
    assert i18n.get_language() == "zh"  # set_language beats everything
    i18n.set_language(None)
    assert i18n.get_language() == "en"


def test_lc_all_decides_before_lang(clean_env):
    monkeypatch, _ = clean_env
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.get_language() == "en"
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert i18n.get_language() == "zh"


@pytest.mark.parametrize("spelling", ["zh", "ZH", "zh_CN", "zh-cn", "中文", "chinese", " zh "])
def test_spellings_of_chinese(spelling):
    import adkernel

    adkernel.set_language(spelling)
    assert adkernel.get_language() == "zh"


@pytest.mark.parametrize("bad", ["fr", "", "english please", 3])
def test_unknown_language_is_refused_with_the_choices(bad):
    import adkernel

    with pytest.raises(ValueError, match=r"'en', 'zh'"):
        adkernel.set_language(bad)
    assert adkernel.get_language() == "en"


def test_the_checker_setting_is_the_same_setting():
    import adkernel
    from adkernel.exercises import settings

    settings.language = "zh"
    assert adkernel.get_language() == "zh"
    adkernel.set_language("en")
    assert settings.language == "en"


def test_switching_changes_what_is_shown_next():
    import adkernel

    adkernel.set_language("zh")
    zh = i18n._(MESSAGE)
    adkernel.set_language("en")
    en = i18n._(MESSAGE)
    assert cjk_characters(zh) and not cjk_characters(en)
    assert en == MESSAGE


def test_lazy_text_follows_the_language_at_display_time():
    text = i18n.lazy(MESSAGE)
    i18n.set_language("zh")
    assert cjk_characters(str(text))
    assert cjk_characters(f"{text}")
    assert cjk_characters(text.format(choices="a", value="b"))
    assert cjk_characters("%s" % text)  # noqa: UP031 - the old formatting too
    i18n.set_language("en")
    assert str(text) == MESSAGE
    assert text.render("zh") != MESSAGE
    assert repr(text).startswith("lazy(")


def test_the_language_context_is_per_thread():
    seen = {}

    def other():
        seen["other"] = i18n.get_language()

    with i18n.language("zh"):
        assert i18n.get_language() == "zh"
        worker = threading.Thread(target=other)
        worker.start()
        worker.join()
    assert seen["other"] == "en"
    assert i18n.get_language() == "en"


def test_translate_in_an_explicit_language_leaves_the_setting_alone():
    assert cjk_characters(i18n.translate(MESSAGE, "zh"))
    assert i18n.get_language() == "en"


def test_an_unknown_message_falls_back_to_english():
    i18n.set_language("zh")
    assert i18n._("no such message in any catalog") == "no such message in any catalog"
