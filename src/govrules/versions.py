"""Pack versions (Semantic Versioning 2.0.0) and the version ranges a pack requires.

A range is one or more comparisons joined by commas, all of which must hold:
``>=1.2.0, <2.0.0``, ``==1.4.1``, ``!=1.3.0``; ``^1.2.0`` (same major version, at least 1.2.0;
for ``^0.y.z`` the same minor version) and ``~1.2.0`` (same minor version, at least 1.2.0) as
in Cargo and npm; ``*`` for any version. A version in a range may leave out its minor or patch
number (``>=1``, ``^1.2``): the missing numbers are 0. Pre-release versions sort before their
release (``1.0.0-rc.1 < 1.0.0``) and build metadata is ignored, as the standard says.

    Version.parse("1.2.3") in VersionRange.parse(">=1.2, <2")   # True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import total_ordering

from govrules.records import record

__all__ = ["Version", "VersionError", "VersionRange"]

_SEMVER = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
    r"(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_PARTIAL = re.compile(r"(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?)?")
_COMPARISON = re.compile(r"(>=|<=|==|!=|>|<|\^|~|=)?\s*(\S+)")


class VersionError(ValueError):
    """A version or a range that is not written as this module reads them."""


@total_ordering
@record
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        """A full version ``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``."""
        match = _SEMVER.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise VersionError(
                f"{text!r} is not a semantic version MAJOR.MINOR.PATCH (such as 1.0.0)"
            )
        major, minor, patch, pre, _build = match.groups()
        parts = tuple(int(p) if p.isdigit() else p for p in pre.split(".")) if pre else ()
        return cls(int(major), int(minor), int(patch), parts)

    @classmethod
    def _partial(cls, text: str) -> tuple[Version, int]:
        """A version in a range, and how many of its numbers were written (1 to 3)."""
        match = _PARTIAL.fullmatch(text)
        if match is not None:
            numbers = [int(n) for n in match.groups() if n is not None]
            return cls(*(numbers + [0] * (3 - len(numbers)))), len(numbers)  # type: ignore[arg-type]
        return cls.parse(text), 3

    def _key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        # a release sorts after its pre-releases; numeric identifiers before alphanumeric ones
        pre = tuple((0, p) if isinstance(p, int) else (1, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(p) for p in self.prerelease)
        return text


@record
class VersionRange:
    text: str
    _tests: tuple[Callable[[Version], bool], ...]

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        if not isinstance(text, str) or not text.strip():
            raise VersionError("a version range is a text such as '>=1.0.0, <2.0.0'")
        if text.strip() == "*":
            return cls("*", ())
        tests = []
        for part in text.split(","):
            match = _COMPARISON.fullmatch(part.strip())
            if match is None:
                raise VersionError(f"{part.strip()!r} in {text!r} is not a comparison")
            operator, written = match.groups()
            try:
                version, numbers = Version._partial(written)
            except VersionError:
                raise VersionError(
                    f"{written!r} in the range {text!r} is not a version such as 1.2.0"
                ) from None
            tests.extend(_comparison(operator or "==", version, numbers))
        return cls(text.strip(), tuple(tests))

    def __contains__(self, version: Version) -> bool:
        return all(test(version) for test in self._tests)

    def __str__(self) -> str:
        return self.text


def _comparison(operator: str, v: Version, numbers: int) -> list[Callable[[Version], bool]]:
    # an upper bound excludes the pre-releases of the next version too: '^1.2' stops before
    # 2.0.0-rc.1, the lowest version that 2.0.0 can have
    if operator == "^":
        if v.major > 0 or numbers == 1:
            upper = Version(v.major + 1, 0, 0, (0,))
        elif v.minor > 0 or numbers == 2:
            upper = Version(0, v.minor + 1, 0, (0,))
        else:
            upper = Version(0, 0, v.patch + 1, (0,))
        return [lambda x: x >= v, lambda x: x < upper]
    if operator == "~":
        upper = (
            Version(v.major + 1, 0, 0, (0,))
            if numbers == 1
            else Version(v.major, v.minor + 1, 0, (0,))
        )
        return [lambda x: x >= v, lambda x: x < upper]
    if operator in ("==", "=") and numbers < 3:
        # ==1.2 means any 1.2.x, as ~1.2 does
        return _comparison("~", v, numbers)
    tests: dict[str, Callable[[Version], bool]] = {
        ">=": lambda x: x >= v,
        "<=": lambda x: x <= v,
        ">": lambda x: x > v,
        "<": lambda x: x < v,
        "==": lambda x: x == v,
        "=": lambda x: x == v,
        "!=": lambda x: x != v,
    }
    return [tests[operator]]
