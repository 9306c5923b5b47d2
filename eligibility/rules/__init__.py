"""Rule sets written in CEL (Common Expression Language), through `common-expression-language`.

`compile_rule_set` checks every expression the way saving a rule set must (syntax and position from the
library, names checked against the fact vocabulary, a trial evaluation), and `CompiledRuleSet` evaluates
a household with one call into the library per household (all criteria as one CEL list), keeping for
every criterion the values it read, so that each decision explains itself.
"""

from .compiler import CompiledRuleSet, Criterion, RuleSetError, compile_rule_set
from .vocabulary import HOUSEHOLD_FACTS, MEMBER_FACTS, household_context

__all__ = ["CompiledRuleSet", "Criterion", "RuleSetError", "compile_rule_set", "HOUSEHOLD_FACTS", "MEMBER_FACTS",
           "household_context"]
