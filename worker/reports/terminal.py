"""Text from data on the terminal: never Rich markup, never a raw control character.

Lead fields come from public web forms and names from the CRM, so a value like `[/b]` must
print as itself (Rich would read it as a closing tag and raise), and an escape sequence
(`ESC ]0;…` sets the window title, `ESC [2J` clears the screen) must be shown, not obeyed.
Markup lives only in the templates written here in the code; every value goes in escaped.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 controls, DEL, and the invisible bidi/zero-width marks that reorder or hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# what Rich reads as a tag, and the backslashes before it (as rich.markup.escape has it)
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
_CONTROL_OR_NEWLINE = re.compile(_CONTROL.pattern[:-1] + r"\n\t]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def shown(value: object, *, lines: bool = False) -> str:
    """`value` as plain text with its control characters written as escapes; newlines and
    tabs are kept only when `lines` (a multi-line message), a table cell stays one line."""
    pattern = _CONTROL if lines else _CONTROL_OR_NEWLINE
    return pattern.sub(_escaped, str(value))


def cell(value: object) -> Text:
    """A table cell or title from data: plain text, one line."""
    return Text(shown(value))


def markup(template: str, *values: object) -> Text:
    """`template` is markup written in the code; each `{}` takes a value as plain text."""
    pieces = template.split("{}")
    if len(pieces) != len(values) + 1:
        raise ValueError(f"{template!r} has {len(pieces) - 1} places for {len(values)} values")
    written = [pieces[0]]
    for value, after in zip(values, pieces[1:], strict=True):
        written += [_as_markup(shown(value, lines=True), before_tag=after.startswith("[")), after]
    return Text.from_markup("".join(written), emoji=False)


def _as_markup(text: str, *, before_tag: bool) -> str:
    """Rich's own `escape` doubles one trailing backslash, which prints twice when no tag
    follows and once too few for an even run: a run before a tag is doubled, else kept."""
    text = _TAG.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), text)
    trailing = len(text) - len(text.rstrip("\\"))
    return text + "\\" * trailing if before_tag else text
