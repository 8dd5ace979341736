"""The consistency rules of `check`, one function per stable code, grouped by what they look at.

Each rule states the figures involved and the value expected, in Chinese. A
rule is an error when a reviewer at the finance bureau would send the
submission back (散总不符, 计分错误, 评分与等级不符, wrong year), a warning when
a reviewer would only ask about it (DOMAIN.md). Amounts compare by intervals
(`values.sum_matches`); scores and weights are exact.

Importing this package registers every rule with `check.RULES`, in this order.
"""

from . import facts, review, scores, sums  # noqa: F401
