"""The hierarchy of law: which of two norms on the same question prevails.

A policy declares the policies of other norms that compute its question (``superior:`` or
``related:``). The engine evaluates the other policy on the same facts and this module compares
the outputs and works out, from the two policies' own sources (the first of each policy's
``sources:``: kind of norm, issuing organ, its level, dates), which prevails under 立法法
(2023) 第九十八至一百零七条:

- 第九十九条: 法律 over 行政法规, 地方性法规 and 规章; 行政法规 over 地方性法规 and 规章;
- 第一百条: 地方性法规 over the 规章 of its own and lower governments; a province's 规章 over
  those of its cities;
- 第一百零二条: 部门规章 and 地方政府规章 are equal: it cannot be determined, and 第一百零六条(三)
  says the State Council decides; 地方性法规 against 部门规章: 第一百零六条(二);
- 第一百零三条: from the same organ, the newer rule prevails (a special rule over a general one
  is not modelled: 第一百零五、一百零六条(一) say who decides when a new general rule meets an
  old special one);
- 第一百零四条: no retroactivity: a rule in force only after the facts' date does not govern them.

Normative documents (规范性文件) and an organ's internal rules (内部制度) are not norms 立法法
ranks. Every one of them must keep to the norms above it, so the engine reads them by analogy
with 第九十九、一百条: a 立法法 norm prevails over them, and between two of them the rule of the
higher-level organ prevails. The notice says when its verdict is such a reading. 立法法 does not
rank Party documents against state norms: the verdict is then that it cannot be determined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govrules.records import record

if TYPE_CHECKING:
    # the documents are read by attribute (id, law_kind, level, issuer, issued, effective),
    # which a SourceDocument holds as its file model does: a decision imports no pydantic
    from govrules.language.files import SourceDocumentModel

__all__ = ["Precedence", "precedence"]


# the kinds 立法法 ranks, highest first (第九十九至一百零二条); 规章 of both kinds share a rank
_RANK = {
    "法律": 1,
    "行政法规": 2,
    "地方性法规": 3,
    "自治条例和单行条例": 3,
    "部门规章": 4,
    "地方政府规章": 4,
}
# below every ranked norm: an organ's normative documents, then its internal rules
_BELOW = {"规范性文件": 5, "内部制度": 6}
_PARTY = ("党内法规", "党内规范性文件")
_LEVEL = {"national": 1, "provincial": 2, "prefectural": 3, "county": 4, "township": 5}
_LEVEL_ZH = {
    "national": "中央",
    "provincial": "省级",
    "prefectural": "设区的市级",
    "county": "县级",
    "township": "乡级",
}


@record
class Precedence:
    """Which prevails (``this``, ``other``, ``undetermined``, or ``not-applicable``), under
    which articles of 立法法, whether by their words or by analogy, and who decides."""

    prevails: str
    articles: tuple[str, ...]
    reading: str  # 'direct' | 'analogy' | 'none'
    en: str
    zh: str
    decides: str | None = None


def _rank(document: SourceDocumentModel) -> int | None:
    kind = document.law_kind
    if kind is None or kind in _PARTY:
        return None
    return _RANK.get(kind) or _BELOW.get(kind)


def _level(document: SourceDocumentModel) -> int | None:
    return _LEVEL.get(document.level) if document.level is not None else None


def precedence(this: SourceDocumentModel, other: SourceDocumentModel) -> Precedence:
    """Which of two norms prevails where they differ."""
    for document in (this, other):
        if document.law_kind is None or document.level is None:
            return Precedence(
                "undetermined",
                (),
                "none",
                f"{document.id} does not record its kind of norm and its organ's level",
                f"{document.id} 未载明规范类型及制定机关层级",
            )
        if document.law_kind in _PARTY:
            return Precedence(
                "undetermined",
                (),
                "none",
                "立法法 does not rank Party regulations or documents against state norms",
                "立法法未规定党内法规、党内规范性文件与国家法律规范之间的效力等级",
                "the organs that issued them",
            )
    a, b = _rank(this), _rank(other)
    assert a is not None and b is not None
    if this.issuer and this.issuer == other.issuer and a == b:
        return _same_organ(this, other)
    if a <= 4 and b <= 4:
        return _ranked(this, other)
    return _by_analogy(this, other, a, b)


def _winner(this_higher: bool) -> str:
    return "this" if this_higher else "other"


def _same_organ(this: SourceDocumentModel, other: SourceDocumentModel) -> Precedence:
    reading = "direct" if this.law_kind in _RANK and other.law_kind in _RANK else "analogy"
    start_a, start_b = this.effective or this.issued, other.effective or other.issued
    if start_a is None or start_b is None or start_a == start_b:
        return Precedence(
            "undetermined",
            ("art103", "art106.item1"),
            reading,
            "both come from the same organ and cannot be told apart by date: the issuing organ "
            "decides (第一百零三条, 第一百零六条(一))",
            "同一机关制定，无法以新旧确定适用，由制定机关裁决（第一百零三条、第一百零六条第一项）",
            this.issuer,
        )
    newer = start_a > start_b
    return Precedence(
        _winner(newer),
        ("art103",),
        reading,
        "same organ: the newer rule prevails over the older (第一百零三条)",
        "同一机关制定，新的规定与旧的规定不一致的，适用新的规定（第一百零三条）",
    )


def _ranked(this: SourceDocumentModel, other: SourceDocumentModel) -> Precedence:
    kinds = {this.law_kind, other.law_kind}
    a, b = _RANK[str(this.law_kind)], _RANK[str(other.law_kind)]
    if a != b and min(a, b) <= 2:
        article = "art99.para1" if min(a, b) == 1 else "art99.para2"
        return Precedence(
            _winner(a < b),
            (article,),
            "direct",
            "a norm of higher rank prevails: 法律 over 行政法规, 地方性法规 and 规章; 行政法规 "
            "over 地方性法规 and 规章 (第九十九条)",
            "法律的效力高于行政法规、地方性法规、规章；行政法规的效力高于地方性法规、规章（第九十九条）",
        )
    if kinds == {"地方性法规", "部门规章"}:
        return Precedence(
            "undetermined",
            ("art106.item2",),
            "direct",
            "a local regulation against a ministry rule: the State Council gives its opinion, "
            "and the NPC Standing Committee decides where the ministry rule should apply "
            "(第一百零六条(二))",
            "地方性法规与部门规章之间对同一事项的规定不一致，由国务院提出意见（第一百零六条第二项）",
            "国务院（必要时全国人民代表大会常务委员会）",
        )
    if kinds == {"地方性法规", "地方政府规章"}:
        regulation_is_this = this.law_kind == "地方性法规"
        regulation, rule = (this, other) if regulation_is_this else (other, this)
        if (_level(regulation) or 9) <= (_level(rule) or 0):
            return Precedence(
                _winner(regulation_is_this),
                ("art100.para1",),
                "direct",
                "a local regulation prevails over the rules of its own and lower governments "
                "(第一百条第一款)",
                "地方性法规的效力高于本级和下级地方政府规章（第一百条第一款）",
            )
    if this.law_kind == other.law_kind == "地方政府规章":
        la, lb = _level(this) or 0, _level(other) or 0
        if {la, lb} == {2, 3}:
            return Precedence(
                _winner(la < lb),
                ("art100.para2",),
                "direct",
                "a province's rules prevail over those of its cities (第一百条第二款)",
                "省、自治区的人民政府制定的规章的效力高于本行政区域内的设区的市、自治州的人民政府制定的规章"
                "（第一百条第二款）",
            )
    if "部门规章" in kinds and kinds <= {"部门规章", "地方政府规章"}:
        return Precedence(
            "undetermined",
            ("art102", "art106.item3"),
            "direct",
            "ministry rules and local government rules have equal force (第一百零二条): the "
            "State Council decides (第一百零六条(三))",
            "部门规章之间、部门规章与地方政府规章之间具有同等效力，不一致时由国务院裁决"
            "（第一百零二条、第一百零六条第三项）",
            "国务院",
        )
    return Precedence(
        "undetermined",
        ("art106.para1",),
        "direct",
        "立法法 does not order these two norms: the competent organ decides (第一百零六条)",
        "立法法未规定二者的效力高低，由有关机关依照第一百零六条的权限裁决",
        "有关机关",
    )


def _by_analogy(
    this: SourceDocumentModel, other: SourceDocumentModel, a: int, b: int
) -> Precedence:
    """At least one is a normative document or internal rule, which 立法法 does not rank."""
    la, lb = _level(this) or 0, _level(other) or 0
    if (a <= 4) != (b <= 4):
        # a norm 立法法 ranks against one it does not: the ranked norm prevails when its organ
        # is of the same level or higher; a higher organ's document against a lower organ's
        # ranked norm is not settled by 立法法
        ranked_is_this = a <= 4
        ranked, ranked_level = (a, la) if ranked_is_this else (b, lb)
        if ranked_level <= (lb if ranked_is_this else la):
            article = {1: "art99.para1", 2: "art99.para2"}.get(ranked, "art100.para1")
            return Precedence(
                _winner(ranked_is_this),
                (article,),
                "analogy",
                "a normative document or internal rule is not a norm 立法法 ranks and must keep "
                "to the norms above it: read by analogy with 第九十九、一百条, the ranked norm "
                "prevails",
                "规范性文件、内部制度不属于立法法规定效力等级的规范，不得与上位规范相抵触；参照第九十九条、"
                "第一百条，适用立法法规定的规范",
            )
        return Precedence(
            "undetermined",
            ("art106.para1",),
            "analogy",
            "a higher organ's normative document against a lower organ's norm that 立法法 ranks: "
            "立法法 does not settle it; the competent organ decides (by analogy with 第一百零六条)",
            "上级机关的规范性文件与下级机关制定的立法法所列规范不一致，立法法未作规定；参照第一百零六条，"
            "由有关机关裁决",
            "有关机关",
        )
    if la != lb:
        return Precedence(
            _winner(la < lb),
            ("art99", "art100"),
            "analogy",
            "neither is a norm 立法法 ranks; read by analogy with 第九十九、一百条 (the higher "
            f"organ's rule over the lower's), the {_level_name(min(la, lb))} rule prevails",
            f"二者均非立法法规定效力等级的规范；参照第九十九条、第一百条（上级机关的规定效力高于下级机关），"
            f"适用{_LEVEL_ZH[_level_key(min(la, lb))]}机关的规定",
        )
    if a != b:
        return Precedence(
            _winner(a < b),
            ("art99", "art100"),
            "analogy",
            "organs of the same level: a normative document binding outside the organ prevails "
            "over an organ's internal rules (read by analogy with 第九十九、一百条)",
            "同级机关：对外具有约束力的规范性文件优先于机关内部制度（参照第九十九条、第一百条）",
        )
    return Precedence(
        "undetermined",
        ("art106.para1",),
        "analogy",
        "two norms of organs of the same level, neither ranked by 立法法: their common "
        "superior organ decides (read by analogy with 第一百零六条)",
        "同级不同机关的规定，均非立法法规定效力等级的规范：参照第一百零六条，由共同的上级机关裁决",
        "共同的上级机关",
    )


def _level_key(level: int) -> str:
    return next(key for key, value in _LEVEL.items() if value == level)


def _level_name(level: int) -> str:
    return _level_key(level).replace("prefectural", "prefecture-level")
