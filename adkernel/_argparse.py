"""argparse that speaks the learner's language: adkernel's own parsers only.

argparse translates its own words ("usage:", "options", "expected one argument", ...)
through its gettext domain, which Python ships in English only. The parsers of ``%%tape``,
``python -m adkernel``, ``run-tf`` and ``grade`` use :class:`ArgumentParser` below: its
formatter and its ``error`` show those words through adkernel's catalog, in the language
current when the help or the error is shown. Help strings and descriptions may be
``lazy(...)`` texts (the parsers are built at import time). Other programs' parsers are
not touched (nothing in argparse is patched).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import unicodedata

from .engine.i18n import _, language, lazy, normalise_language

__all__ = ["ArgumentParser", "HelpFormatter", "cli_language", "translate_argparse_message"]

# argparse's own messages (Python 3.9-3.13), as regular expressions over the English text
# argparse produced, and the message id that says the same thing with named placeholders.
_ARGUMENT = re.compile(r"argument (?P<argument>.+?): (?P<message>.*)", re.S)
_MESSAGES = [
    (re.compile(r"expected one argument"), lazy("expected one argument")),
    (re.compile(r"expected at most one argument"), lazy("expected at most one argument")),
    (re.compile(r"expected at least one argument"), lazy("expected at least one argument")),
    (re.compile(r"ignored explicit argument (?P<value>.*)", re.S),
     lazy("ignored explicit argument {value}")),
    (re.compile(r"the following arguments are required: (?P<names>.*)", re.S),
     lazy("the following arguments are required: {names}")),
    (re.compile(r"unrecognized arguments: (?P<args>.*)", re.S),
     lazy("unrecognized arguments: {args}")),
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", re.S),
     lazy("invalid choice: {value} (choose from {choices})")),
    (re.compile(r"invalid (?P<type>\S+) value: (?P<value>.*)", re.S),
     lazy("invalid {type} value: {value}")),
    (re.compile(r"not allowed with argument (?P<other>.*)", re.S),
     lazy("not allowed with argument {other}")),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", re.S),
     lazy("ambiguous option: {option} could match {matches}")),
    (re.compile(r"one of the arguments (?P<names>.*) is required", re.S),
     lazy("one of the arguments {names} is required")),
]


def _one_message(message: str) -> str | None:
    for pattern, text in _MESSAGES:
        m = pattern.fullmatch(message)
        if m:
            return text.format(**m.groupdict())
    return None


def translate_argparse_message(message: str) -> str:
    """One of argparse's English error messages in the current language.

    A message this module does not know is returned unchanged. In English the result is
    the message itself, character for character.
    """
    message = str(message)
    known = _one_message(message)
    if known is not None:
        return known
    m = _ARGUMENT.fullmatch(message)
    if m:
        inner = _one_message(m.group("message"))
        if inner is not None:
            return _("argument {argument}: {message}").format(argument=m.group("argument"),
                                                             message=inner)
    return message


_CJK = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                  "\uff00-\uff60\uffe0-\uffe6]")
_TOKEN = re.compile(r"\s+|[^\s\u1100-\uffff]+|.", re.S)
_NO_LINE_START = set("，。、；：？！）」』】》,.;:?!)")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` terminal columns (CJK characters take two), broken at
    spaces or between CJK characters, never before closing punctuation."""
    width = max(width, 10)
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        if line and _columns(line.rstrip() + token) > width and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """Shows lazy help texts, the usage prefix and section headings in the current language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._headings: list[str] = []

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = _("usage: ")
        super().add_usage(usage, actions, groups, prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        text = super()._format_usage(usage, actions, groups, prefix)
        extra = _columns(prefix or "") - len(prefix or "")
        if extra > 0:  # "用法：" is wider on screen than its length: align the next lines
            lines = text.split("\n")
            text = "\n".join([lines[0]] + [" " * extra + line if line.startswith(" ") else line
                                            for line in lines[1:]])
        return text

    def start_section(self, heading):
        if heading is not None and heading is not argparse.SUPPRESS:
            heading = str(heading)
            self._headings.append(heading)
        super().start_section(heading)

    def _format_text(self, text):
        return super()._format_text(str(text))

    def _split_lines(self, text, width):
        text = str(text)
        if not _CJK.search(text):
            return super()._split_lines(text, width)
        return _wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text, width, indent):
        text = str(text)
        if not _CJK.search(text):
            return super()._fill_text(text, width, indent)
        text = self._whitespace_matcher.sub(" ", text).strip()
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))

    def _get_help_string(self, action):
        return str(action.help)

    def format_help(self):
        text = super().format_help()
        for heading in self._headings:  # "options:" -> "选项："
            shown = _("{heading}:").format(heading=heading)
            if shown != heading + ":":
                text = text.replace(f"{heading}:\n", shown + "\n")
        return text


class ArgumentParser(argparse.ArgumentParser):
    """An ``argparse.ArgumentParser`` whose own words follow adkernel's language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = lazy("positional arguments")
        self._optionals.title = lazy("options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = lazy("show this help message and exit")

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, _("{prog}: error: {message}").format(
            prog=self.prog, message=translate_argparse_message(message)) + "\n")


def lang_option(argv) -> str | None:
    """The value of ``--lang`` on a command line (``"zh"``/``"en"``), read before parsing."""
    argv = list(argv)
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return normalise_language(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise_language(arg.partition("=")[2])
    return None


@contextlib.contextmanager
def cli_language(argv):
    """Run a command line in the language of its ``--lang`` option, if it has one.

    Read before argparse parses, so that ``--lang zh --help`` and usage errors are in that
    language too; without the option, adkernel's language setting applies.
    """
    lang = lang_option(argv)
    if lang is None:
        yield None
        return
    with language(lang):
        yield lang
