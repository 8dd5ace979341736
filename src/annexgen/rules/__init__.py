"""The consistency rules of `check`, one function per stable code, grouped by what they look at.

Each rule states the figures involved and the value expected, in Chinese. A
rule is an error when a reviewer at the finance bureau would send the
submission back (散总不符, 计分错误, 评分与等级不符, wrong year), a warning when
a reviewer would only ask about it (DOMAIN.md). Amounts compare by intervals
(`values.sum_matches`); scores and weights are exact.

Importing this package registers every rule with `check.RULES`.
NOTE: the import order is the order of the rules in docs/rules.md.
"""

# isort: off
from . import sums  # noqa: F401  totals, 其中 lines, rates
from . import scores  # noqa: F401  the 执行率 score, weights, indicator scores, grade
from . import formset  # noqa: F401  the weights the form set prescribes (its profile)
from . import facts  # noqa: F401  years, one fact in two places, prose
from . import review  # noqa: F401  what a reviewer asks about (warnings)
from . import blanks  # noqa: F401  a year not filled in yet (annexgen new)

# isort: on
