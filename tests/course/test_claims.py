"""course.claims: a claim's verdict follows its relation, its margin and the rows it names. (Every
claim on an offline run: tests/lessons/test_lesson_claims.py; the report page: tests/tools.)"""

from sbert_lab.course.claims import Claim


def test_verdicts_follow_the_relation_and_the_margin():
    claim = Claim("01", "A beats B", "a", "b", margin=2)
    assert claim.verdict({"01": {"a": 10, "b": 7}}) == "holds"
    assert claim.verdict({"01": {"a": 8, "b": 7}}) == "holds, within the margin"
    assert claim.verdict({"01": {"a": 6, "b": 7}}) == "reversed"
    assert claim.verdict({"01": {"a": 6}}) == "not measured"
    below = Claim("06", "small", "x", 0.5, relation="<", scale=2)  # x < 2 * 0.5
    assert below.verdict({"06": {"x": 0.9}}) == "holds" and below.describe() == "x < 2 × 0.5"
    brackets = Claim("01", "[CLS] is a row name, not a key", "STS-B, [CLS]", 0)
    assert brackets.values({"01": {"STS-B, [CLS]": 3}}) == (3.0, 0.0)
    table = Claim("10", "t", "min:r", "02:m::k", relation=">=")
    assert table.values({"10": {"r": {"1": 3, "2": 5}}, "02": {"m": {"k": 3}}}) == (3.0, 3.0)
    assert table.verdict({"10": {"r": {"1": 3, "2": 5}}, "02": {"m": {"k": 3}}}) == "holds"
