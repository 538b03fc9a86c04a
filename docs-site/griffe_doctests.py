"""A Griffe extension for the documentation site (mkdocs.yml): the docstrings'
doctest examples shown as Python console blocks, and their reST roles
(``:class:`Store```) as code, so that Markdown neither reflows the examples nor
reads their output (``['2024-07-05', ...]``) as links."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj|const|py:\w+):`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def fence_doctests(text: str) -> str:
    """``text`` with each run of doctest lines (``>>>`` up to a blank line) in a
    ```` ```pycon ```` fence; roles and reST literals become Markdown code."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if not in_fence and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        if not in_fence:
            line = _LITERAL.sub(r"`\1`", _ROLE.sub(r"`\1`", line))
        out.append(line)
        i += 1
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Rewrites every docstring once it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
