"""The statutory rule for an assembly's decision (村民委员会组织法)."""

from __future__ import annotations


def quorum_problems(members: int, present: int, in_favour: int, against: int, abstain: int) -> list[str]:
    """Catalogue keys for every way a vote fails the rule; empty when the decision stands.

    More than two thirds of members must be present, and more than half of those present
    must vote in favour. Integer arithmetic only: 3 * present > 2 * members.
    """
    problems = []
    if members <= 0 or present < 0 or min(in_favour, against, abstain) < 0:
        problems.append("quorum.negative")
    if present > members:
        problems.append("quorum.present_exceeds")
    if in_favour + against + abstain > present:
        problems.append("quorum.votes_exceed")
    if 3 * present <= 2 * members:
        problems.append("quorum.not_present")
    if 2 * in_favour <= present:
        problems.append("quorum.not_passed")
    return problems
