"""Keep adkernel's message catalogs in step with the code (needs Babel: ``pip install babel``).

    python tools/i18n.py update    # extract messages, rewrite the .po files (keeps translations)
    python tools/i18n.py check     # what is missing, untranslated, stale or mismatched; exit 1
    python tools/i18n.py compile   # .po -> .mo (shipped in the wheel)

The English text is the message id. Messages are found in calls to ``_``, ``N_``, ``lazy``,
``translate`` and ``ngettext`` whose first argument is a string literal. Each part of the
package has its own catalog (``engine.po``, ``tf.po``, ``magic.po``, ``widgets.po``,
``exercises.po``) so that people working on different parts never edit the same file; a
message used by two parts lives in the first one listed in ``AREAS``. At run time the
compiled catalogs are chained into one (``adkernel/engine/i18n.py``).
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "adkernel"
LOCALE = "zh_CN"
CATALOG_DIR = PACKAGE / "locale" / LOCALE / "LC_MESSAGES"
KEYWORDS = {"_": None, "N_": None, "lazy": None, "translate": (1,), "ngettext": (1, 2)}

# (catalog, path prefixes relative to adkernel/); the first match wins.
AREAS = [
    ("engine", ("engine/",)),
    ("tf", ("tf.py", "tf_function.py", "tf_debugging.py", "tf_random.py", "tf_control.py",
            "_namespace.py",
            "keras/")),
    ("widgets", ("widgets/",)),
    ("exercises", ("exercises/",)),
    ("magic", ("",)),  # magics.py, __init__.py, __main__.py, grade.py, run_tf.py, the rest
]
AREA_ORDER = [name for name, _ in AREAS]
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)?(?:[!:][^{}]*)?\}|%\(?[a-z_]*\)?[sdrf]")


def _babel():
    try:
        from babel.messages import catalog, mofile, pofile
        from babel.messages.extract import extract
    except ImportError:  # pragma: no cover - a developer tool
        sys.exit("tools/i18n.py needs Babel: pip install babel")
    return catalog, mofile, pofile, extract


def area_of(relpath: str) -> str:
    for name, prefixes in AREAS:
        if any(relpath.startswith(p) for p in prefixes):
            return name
    raise AssertionError(relpath)


def extract_messages() -> dict[str, list[tuple[str, str | tuple, list[str]]]]:
    """``{area: [(msgid, plural-or-None, ["path:line", ...]), ...]}`` in source order."""
    _, _, _, extract = _babel()
    seen: dict[str, tuple[str, int]] = {}  # msgid -> (area, index)
    out: dict[str, list] = {name: [] for name in AREA_ORDER}
    files = sorted(p for p in PACKAGE.rglob("*.py") if "locale" not in p.parts)
    by_area = sorted(files, key=lambda p: AREA_ORDER.index(
        area_of(p.relative_to(PACKAGE).as_posix())))
    for path in by_area:
        rel = path.relative_to(PACKAGE).as_posix()
        area = area_of(rel)
        with open(path, "rb") as fh:
            for lineno, message, _comments, _context in extract(
                    "python", fh, keywords=KEYWORDS, options={"encoding": "utf-8"}):
                if isinstance(message, tuple):
                    msgid, plural = message[0], message[1] if len(message) > 1 else None
                else:
                    msgid, plural = message, None
                if not msgid:
                    continue
                where = f"adkernel/{rel}:{lineno}"
                if msgid in seen:
                    a, i = seen[msgid]
                    out[a][i][2].append(where)
                    continue
                seen[msgid] = (area, len(out[area]))
                out[area].append((msgid, plural, [where]))
    return out


def po_path(area: str) -> Path:
    return CATALOG_DIR / f"{area}.po"


def read_catalogs():
    """``{area: babel Catalog}`` for the .po files that exist."""
    _, _, pofile, _ = _babel()
    found = {}
    for area in AREA_ORDER:
        path = po_path(area)
        if path.exists():
            with open(path, "rb") as fh:
                found[area] = pofile.read_po(fh, locale=LOCALE)
    return found


def _all_translations(catalogs) -> dict[str, object]:
    known = {}
    for cat in catalogs.values():
        for msg in cat:
            if msg.id and msg.string:
                key = msg.id if isinstance(msg.id, str) else msg.id[0]
                known.setdefault(key, msg.string)
    return known


def build_catalogs(messages, catalogs):
    catalog_mod, _, _, _ = _babel()
    known = _all_translations(catalogs)
    built = {}
    for area in AREA_ORDER:
        cat = catalog_mod.Catalog(
            locale=LOCALE, domain=area, project="adkernel", version="0.1",
            copyright_holder="The adkernel developers", msgid_bugs_address="",
            last_translator="The adkernel developers", language_team="adkernel",
            charset="utf-8", fuzzy=False)
        cat.header_comment = (f"# Chinese (Simplified) messages of adkernel: {area}.\n"
                              "# Made and kept by tools/i18n.py; translations are written by hand.")
        for msgid, plural, where in messages[area]:
            key = msgid
            string = known.get(key, "" if plural is None else ("",))
            ident = msgid if plural is None else (msgid, plural)
            if plural is not None and isinstance(string, str):
                string = (string,)
            if plural is None and isinstance(string, tuple):
                string = string[0]
            locations = [(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where]
            cat.add(ident, string, locations=locations)
        built[area] = cat
    return built


def render_po(cat) -> bytes:
    _, _, pofile, _ = _babel()
    buf = io.BytesIO()
    pofile.write_po(buf, cat, width=100, omit_header=False, sort_output=False,
                    include_previous=False, ignore_obsolete=True,
                    include_lineno=False)
    text = buf.getvalue().decode("utf-8")
    # The header's dates change at each run: keep them out so the files are stable.
    text = re.sub(r'"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', "", text)
    text = re.sub(r'"(Generated-By|Report-Msgid-Bugs-To): [^"]*\\n"\n', "", text)
    return text.encode("utf-8")


def render_mo(cat) -> bytes:
    """The compiled catalog; the same bytes for the same .po (no dates inside)."""
    _, mofile, _, _ = _babel()
    fixed = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cat.creation_date = cat.revision_date = fixed
    buf = io.BytesIO()
    mofile.write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) if m.group(0).startswith("%") else (m.group(1) or "")
                  for m in PLACEHOLDER.finditer(text.replace("{{", "").replace("}}", "")))


def problems(messages=None, catalogs=None) -> list[str]:
    """Everything that stops the catalogs from matching the code; empty when in step."""
    messages = extract_messages() if messages is None else messages
    catalogs = read_catalogs() if catalogs is None else catalogs
    found = []
    owner: dict[str, str] = {}
    for area, cat in catalogs.items():
        for msg in cat:
            if not msg.id:
                continue
            key = msg.id if isinstance(msg.id, str) else msg.id[0]
            if key in owner:
                found.append(f"{key!r} is in both {owner[key]}.po and {area}.po")
            owner[key] = area
    for area in AREA_ORDER:
        cat = catalogs.get(area)
        ids = {m[0] for m in messages[area]}
        for msgid, _plural, where in messages[area]:
            msg = cat.get(msgid) if cat is not None else None
            if cat is not None and msg is None:
                for m in cat:
                    if m.id and not isinstance(m.id, str) and m.id[0] == msgid:
                        msg = m
            if msg is None:
                found.append(f"missing from {area}.po: {msgid!r} ({where[0]})")
                continue
            strings = [msg.string] if isinstance(msg.string, str) else list(msg.string)
            if not all(s.strip() for s in strings):
                found.append(f"no Chinese in {area}.po for {msgid!r} ({where[0]})")
                continue
            for s in strings:
                if placeholders(s) != placeholders(msgid):
                    found.append(f"placeholders differ in {area}.po for {msgid!r}: "
                                 f"{placeholders(msgid)} vs {placeholders(s)}")
        if cat is not None:
            for m in cat:
                key = m.id if (not m.id or isinstance(m.id, str)) else m.id[0]
                if key and key not in ids:
                    found.append(f"stale in {area}.po (no longer in the code): {key!r}")
    return found


def compiled_out_of_date() -> list[str]:
    stale = []
    for area, cat in read_catalogs().items():
        mo = po_path(area).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != render_mo(cat):
            stale.append(f"{mo.relative_to(ROOT)} is not compiled from its .po")
    for mo in CATALOG_DIR.glob("*.mo"):
        if not mo.with_suffix(".po").exists():
            stale.append(f"{mo.relative_to(ROOT)} has no .po")
    return stale


def update() -> None:
    CATALOG_DIR.mkdir(parents=True, exist_ok=True)
    built = build_catalogs(extract_messages(), read_catalogs())
    for area, cat in built.items():
        path = po_path(area)
        if not len(cat) and not path.exists():
            continue
        path.write_bytes(render_po(cat))
    print(f"updated {len(built)} catalogs in {CATALOG_DIR.relative_to(ROOT)}")


def compile_all() -> None:
    for area, cat in read_catalogs().items():
        po_path(area).with_suffix(".mo").write_bytes(render_mo(cat))
    print("compiled")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "check", "compile"])
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "compile":
        compile_all()
    else:
        issues = problems() + compiled_out_of_date()
        for line in issues:
            print(line)
        print(f"{len(issues)} problem(s)")
        return 1 if issues else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
