"""Compiling a rule set's CEL expressions once, checking them, and evaluating households with explanations."""

import json
import re
import threading
from dataclasses import dataclass, field

import cel

from .vocabulary import HOUSEHOLD_FACTS, HOUSEHOLD_VALUES, MEMBER_FACTS, PARAMS, member_age, probe_context

# Names bound by CEL's macros (`members.exists(m, ...)` binds `m`): not facts, so not checked as facts.
_MACRO_BINDING = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")
# A field selected with a dot (`m.age`, `params.pmt_cutoff`), not a method call (`members.exists(`).
_FIELD = re.compile(r"\.\s*([A-Za-z_]\w*)\b(?!\s*\()")
_MEMBERS = re.compile(r"(?<![.\w])members\b")
_STRING = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", re.S)
# A whole expression that is one macro over the members: `members.exists(m, <body>)`.
_OVER_MEMBERS = re.compile(r"\s*members\s*\.\s*(exists|all|exists_one)\s*\(\s*([A-Za-z_]\w*)\s*,(.*)\)\s*", re.S)
_OPEN, _CLOSE = set("([{"), set(")]}")


class RuleSetError(ValueError):
    """Expressions that may not be saved, each message keyed by its path (`criteria.2.expression`)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    expression: str
    exclusion: bool = False
    facts: tuple[str, ...] = ()          # household facts it reads
    member_facts: tuple[str, ...] = ()   # member facts it reads, through `members`
    params: tuple[str, ...] = ()         # rule-set parameters it reads

    def values(self, context: dict) -> dict:
        """The values this criterion read from one household's context."""
        used = {name: context[name] for name in self.facts}
        for name in self.member_facts:
            used[f"members.{name}"] = [m[name] for m in context["members"]]
        for name in self.params:
            used[f"{PARAMS}.{name}"] = context[PARAMS].get(name)
        return used


    def value_names(self) -> list[str]:
        """The names of `values()`, in its order."""
        return [*self.facts, *(f"members.{name}" for name in self.member_facts),
                *(f"{PARAMS}.{name}" for name in self.params)]


_compact = json.JSONEncoder(separators=(",", ":")).encode
_string = json.encoder.encode_basestring_ascii
_TRUE_FALSE = {True: "true", False: "false"}
_KEPT = (str, int, bool)  # exact types whose equal values convert to the same CEL value


def _json(value) -> str:
    """`_compact(value)` for the values a household gives, without the encoder's per-call setup."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is bool:
        return _TRUE_FALSE[value]
    if kind is int or (kind is float and value - value == 0):  # finite: JSON writes a float as its repr
        return repr(value)
    if kind is list:
        return "[" + ",".join([_json(item) for item in value]) + "]"
    return _compact(value)


def _position(source: str, index: int) -> str:
    line = source.count("\n", 0, index) + 1
    return f"{line}:{index - (source.rfind(chr(10), 0, index) + 1) + 1}"


def _check_names(source: str, program, param_names: set[str]) -> tuple[tuple, tuple, tuple]:
    """The facts, member facts and parameters an expression reads; an unknown name raises ValueError."""
    bare = _STRING.sub(lambda m: " " * len(m.group()), source)
    bound = set(_MACRO_BINDING.findall(bare))
    variables = set(program.variables()) - bound
    unknown = sorted(variables - set(HOUSEHOLD_FACTS) - {PARAMS})
    if unknown:
        at = re.search(rf"\b{re.escape(unknown[0])}\b", bare)
        raise ValueError(f"at {_position(source, at.start() if at else 0)}: unknown fact {unknown[0]!r}; "
                         f"a rule may read {', '.join(sorted(HOUSEHOLD_FACTS))} and {PARAMS}")
    fields = {}
    for match in _FIELD.finditer(bare):
        fields.setdefault(match.group(1), match.start(1))
    for name, index in fields.items():
        if name not in MEMBER_FACTS and name not in param_names:
            raise ValueError(f"at {_position(source, index)}: unknown fact {name!r}; a member has "
                             f"{', '.join(sorted(MEMBER_FACTS))}; the parameters are "
                             f"{', '.join(sorted(param_names)) or 'none'}")
    member_facts = tuple(sorted(n for n in fields if n in MEMBER_FACTS)) if "members" in variables else ()
    params = tuple(sorted(n for n in fields if n in param_names)) if PARAMS in variables else ()
    facts = tuple(sorted(variables & (set(HOUSEHOLD_FACTS) - {"members"})))
    return facts, member_facts, params


@dataclass(frozen=True)
class MemberWise:
    """An expression that is one macro over the members, `members.exists(m, body)` (or `all`,
    `exists_one`), whose body reads only its member and `params`: a pure function of one member's facts
    and the region's parameters, so it can be evaluated once per distinct member and region."""

    macro: str
    name: str  # the name the macro binds (`m`)
    body: object  # the body compiled on its own


def member_wise(source: str) -> MemberWise | None:
    """The expression as a MemberWise, or None when it is anything else (then it is evaluated whole).

    Conservative: the body must run from the macro's own opening parenthesis to the one closing it (the
    brackets outside strings balance and never close more than they opened), compile on its own, and
    name nothing but its member and `params`."""
    bare = _STRING.sub(lambda m: " " * len(m.group()), source)
    match = _OVER_MEMBERS.fullmatch(bare)
    if match is None:
        return None
    depth = 0
    for char in match.group(3):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth < 0:
                return None
    name = match.group(2)
    if depth or name in (PARAMS, "members"):
        return None
    try:
        body = cel.compile(source[match.start(3):match.end(3)])
    except ValueError:
        return None
    if not set(body.variables()) <= {name, PARAMS}:
        return None
    return MemberWise(match.group(1), name, body)


@dataclass
class CompiledRuleSet:
    """A rule set's criteria and exclusions compiled once into one CEL program that answers them all."""

    criteria: list[Criterion]
    exclusions: list[Criterion]
    parameters: dict
    region_parameters: dict
    program: object = field(repr=False, default=None)
    _evaluators: dict = field(repr=False, default_factory=dict)

    def params_for(self, region_code: str) -> dict:
        return {**self.parameters, **self.region_parameters.get(region_code, {})}

    @property
    def reads_members(self) -> bool:
        """Whether any expression names `members` (a household's members need not be read otherwise)."""
        return any(_MEMBERS.search(_STRING.sub(" ", c.expression)) for c in self.criteria + self.exclusions)

    @property
    def reads(self) -> tuple[tuple, tuple]:
        """The household facts and member facts any criterion reads."""
        everything = self.criteria + self.exclusions
        return (tuple(sorted({f for c in everything for f in c.facts})),
                tuple(sorted({f for c in everything for f in c.member_facts})))

    def evaluate(self, context: dict) -> list[bool]:
        """Whether each criterion, then each exclusion, passed (an exclusion passes when it does not hold)."""
        return [(result is not True) if criterion.exclusion else (result is True)
                for criterion, result in zip(self.criteria + self.exclusions, self.program.execute(context))]

    def evaluator(self, *, day) -> "Evaluator":
        """The evaluator for `day`, kept (with what it remembers) for the next chunk of households; one per
        thread, since an evaluator's CEL contexts are updated and read household by household."""
        key = (day, threading.get_ident())
        evaluator = self._evaluators.get(key)
        if evaluator is None:
            if len(self._evaluators) >= 8:
                self._evaluators.clear()
            evaluator = self._evaluators[key] = Evaluator(self, day=day)
        return evaluator

    def explanation_template(self) -> tuple[str, list]:
        """`explain()` as JSON with a `%s` for each value read and each result and verdict, and what goes
        in them, in order: a value's name, or (position, is an exclusion) for a result and a verdict."""
        items, fills = [], []
        for i, c in enumerate(self.criteria + self.exclusions):
            static = _compact({"code": c.code, "label": c.label, "kind": "exclusion" if c.exclusion else "criterion",
                               "expression": c.expression}).replace("%", "%%")
            names = c.value_names()
            values = ",".join(_compact(name).replace("%", "%%") + ":%s" for name in names)
            items.append(static[:-1] + ',"values":{' + values + '},"result":%s,"passed":%s}')
            fills += [*names, (i, c.exclusion)]
        return "[" + ",".join(items) + "]", fills

    def explain(self, context: dict, passes: list[bool]) -> list[dict]:
        """Every criterion and exclusion with its expression, the values it read, its result and verdict."""
        return [{"code": c.code, "label": c.label, "kind": "exclusion" if c.exclusion else "criterion",
                 "expression": c.expression, "values": c.values(context),
                 "result": (not passed) if c.exclusion else passed, "passed": passed}
                for c, passed in zip(self.criteria + self.exclusions, passes)]


def _criteria(items, key: str, param_names: set[str], errors: dict, *, exclusion: bool) -> list[Criterion]:
    made, codes = [], set()
    for i, item in enumerate(items or []):
        path = f"{key}.{i}"
        if not isinstance(item, dict):
            errors[path] = "must be an object with code, label and expression"
            continue
        code, label, source = (str(item.get(k) or "").strip() for k in ("code", "label", "expression"))
        for name, value in (("code", code), ("label", label), ("expression", source)):
            if not value:
                errors[f"{path}.{name}"] = "This field is required."
        if code in codes:
            errors[f"{path}.code"] = f"{code!r} is used twice in this rule set"
        codes.add(code)
        if not source:
            continue
        try:
            program = cel.compile(source)
            facts, member_facts, params = _check_names(source, program, param_names)
        except ValueError as exc:
            errors[f"{path}.expression"] = str(exc)
            continue
        made.append(Criterion(code, label, source, exclusion, facts, member_facts, params))
    return made


def compile_rule_set(*, criteria: list, exclusions: list, parameters: dict, region_parameters: dict) -> CompiledRuleSet:
    """Compile and check a rule set; RuleSetError names every expression that may not be saved, and why."""
    errors: dict[str, str] = {}
    if not isinstance(parameters, dict):
        errors["parameters"], parameters = "must be an object of names and values", {}
    if not isinstance(region_parameters, dict) or not all(isinstance(v, dict) for v in region_parameters.values()):
        errors["region_parameters"], region_parameters = "must map region codes to objects of parameters", {}
    param_names = set(parameters) | {n for values in region_parameters.values() for n in values}
    for region, values in region_parameters.items():
        for name in set(values) - set(parameters):
            errors[f"region_parameters.{region}.{name}"] = "has no default in parameters"
    compiled = CompiledRuleSet(
        criteria=_criteria(criteria, "criteria", param_names, errors, exclusion=False),
        exclusions=_criteria(exclusions, "exclusions", param_names, errors, exclusion=True),
        parameters=parameters, region_parameters=region_parameters)
    if not compiled.criteria and not errors.get("criteria") and not any(k.startswith("criteria.") for k in errors):
        errors["criteria"] = "A rule set needs at least one criterion."
    if errors:
        raise RuleSetError(errors)
    everything = compiled.criteria + compiled.exclusions
    compiled.program = cel.compile("[" + ", ".join(f"({c.expression})" for c in everything) + "]")
    for region in ["", *region_parameters]:
        probe = probe_context(compiled.params_for(region))
        for i, criterion in enumerate(everything):
            key = f"criteria.{i}" if i < len(compiled.criteria) else f"exclusions.{i - len(compiled.criteria)}"
            try:
                result = cel.compile(criterion.expression).execute(probe)
            except Exception as exc:  # the library raises several types for evaluation errors
                errors[f"{key}.expression"] = f"does not evaluate on a household: {exc}"
                continue
            if not isinstance(result, bool):
                errors[f"{key}.expression"] = f"must be true or false, not {type(result).__name__} ({result!r})"
    if errors:
        raise RuleSetError(errors)
    return compiled


class Evaluator:
    """Evaluates one compiled rule set on many households for one day, as cheaply as the library allows.

    Converting Python values to CEL values is most of an evaluation's cost (`manage.py bench_cel`), so:
    one `cel.Context` per region holds that region's parameters, converted once, and each household
    converts only the facts the rule set reads; member ages are computed once per birth month.

    A criterion that is one macro over the members reading only its member and `params` (MemberWise,
    `members.exists(m, m.age >= params.senior_age)`) is not given the members at all: its body is
    evaluated once per distinct member (the values of the member facts the rule set reads) and region,
    remembered for the evaluator's life (bounded), and combined as the macro does (any, all, exactly
    one). CEL is pure, so a remembered body's result is the one a new evaluation gives. When a body is
    not true or false for some member (an error), the whole expression is evaluated by the library on
    the household's members, so the answer is always the library's.
    """

    MEMO_LIMIT = 100_000  # remembered member results per region, then forgotten and remembered again

    def __init__(self, compiled: CompiledRuleSet, *, day):
        self.compiled, self.day = compiled, day
        self.household_facts, self.member_facts = compiled.reads
        self.everything = compiled.criteria + compiled.exclusions
        self.exclusion = [c.exclusion for c in self.everything]
        self.reads_members = compiled.reads_members
        self._params: dict[str, dict] = {}
        self._contexts: dict[str, cel.Context] = {}
        self._ages: dict = {}
        self._template, self._fills = compiled.explanation_template()
        self._params_json: dict[str, dict] = {}
        self._held: dict[str, dict] = {}  # per region: the Python values its context was last given
        wise = [member_wise(c.expression) for c in self.everything]
        self._wise = [(i, w) for i, w in enumerate(wise) if w is not None]
        self._whole = [i for i, w in enumerate(wise) if w is None]
        whole = [self.everything[i].expression for i in self._whole]
        self._program = (compiled.program if not self._wise else
                         cel.compile("[" + ", ".join(f"({e})" for e in whole) + "]") if whole else None)
        # The members go to CEL only if an expression evaluated whole names them.
        self._members_to_cel = any(_MEMBERS.search(_STRING.sub(" ", e)) for e in whole)
        self._memo: dict = {}
        self._member_contexts: dict[str, cel.Context] = {}
        self._raw = tuple(name not in ("age", "monthly_income") for name in self.member_facts)
        self._any_raw = any(self._raw)

    def params_for(self, region_code: str) -> dict:
        params = self._params.get(region_code)
        if params is None:
            params = self._params[region_code] = self.compiled.params_for(region_code)
        return params

    def variables(self, facts) -> dict:
        """The household's CEL variables but `params` (a models.HouseholdFact or a FactRow)."""
        variables = {name: HOUSEHOLD_VALUES[name](facts) for name in self.household_facts}
        if self.member_facts or self.reads_members:
            variables["members"] = self.members(facts)
        return variables

    def members(self, facts) -> list[dict]:
        """The household's members as maps of the member facts the rule set reads."""
        member_facts = self.member_facts
        if not member_facts:  # size(members) and the like: the list, no member fact
            return [{} for _ in facts.members]
        ages, day = self._ages, self.day
        members = []
        for m in facts.members:
            member = {}
            for name in member_facts:
                if name == "age":
                    key = m.get("birth_month") or (m["age"], m["age_on"])
                    age = ages.get(key)
                    if age is None:
                        age = ages[key] = member_age(m, day=day)
                    member["age"] = age
                elif name == "monthly_income":
                    member[name] = float(m[name])
                else:
                    member[name] = m[name]
            members.append(member)
        return members

    def _whole_results(self, region: str, variables: dict) -> list:
        """The library's results of the expressions evaluated whole, in their order."""
        context = self._contexts.get(region)
        if context is None:
            context = self._contexts[region] = cel.Context({PARAMS: self.params_for(region)})
            self._held[region] = {}
        # A string, int or bool equal to (and of the type of) the one the context holds is not converted
        # again (`status` is nearly always "active"): the context already holds that very CEL value.
        held, changed = self._held[region], {}
        members_to_cel = self._members_to_cel
        for name, value in variables.items():
            if name == "members" and not members_to_cel:
                continue
            if type(value) not in _KEPT or type(held.get(name)) is not type(value) or held[name] != value:
                changed[name] = value
        held.update(changed)
        context.update(changed)
        return self._program.execute(context)

    def _key(self, member: dict) -> tuple:
        """What a member's MemberWise results depend on: the values of the member facts read, with the
        type of any value not made by `members()` (True == 1 in Python, not in CEL)."""
        if not self._any_raw:
            return tuple(member.values())
        return tuple(v if not r or type(v) in (str, bool) or v is None else (type(v), v)
                     for v, r in zip(member.values(), self._raw))

    def _per_member(self, region: str, members: list) -> list[tuple]:
        """Each MemberWise body's result on each member: True, False, or None (an error, or not a bool)."""
        memo = self._memo.get(region)
        if memo is None:
            memo = self._memo[region] = {}
        key_of = tuple if not self._any_raw else None
        per_member = []
        for member in members:
            key = key_of(member.values()) if key_of else self._key(member)
            try:
                results = memo.get(key)
            except TypeError:  # a value that cannot be a key (not what the events carry): not remembered
                results, key = None, None
            if results is None:
                results = self._member_results(region, member, memo, key)
            per_member.append(results)
        return per_member

    def _member_results(self, region: str, member: dict, memo: dict, key: tuple) -> tuple:
        context = self._member_contexts.get(region)
        if context is None:
            context = self._member_contexts[region] = cel.Context({PARAMS: self.params_for(region)})
        made = []
        for _, wise in self._wise:
            context.update({wise.name: member})
            try:
                result = wise.body.execute(context)
            except Exception:  # the library raises several types for evaluation errors
                result = None
            made.append(result if type(result) is bool else None)
        results = tuple(made)
        if key is not None:
            if len(memo) >= self.MEMO_LIMIT:
                memo.clear()
            memo[key] = results
        return results

    def _wise_result(self, position: int, k: int, wise: MemberWise, per_member: list, region: str,
                     variables: dict):
        """The result of MemberWise criterion `position` (the k-th of them) from its body's results."""
        bodies = [results[k] for results in per_member]
        if None not in bodies:
            if wise.macro == "exists":
                return True in bodies
            if wise.macro == "all":
                return False not in bodies
            return bodies.count(True) == 1
        # Some member's body errs: the library answers for the whole expression, as it would have.
        context = {**variables, PARAMS: self.params_for(region)}
        return cel.compile(self.everything[position].expression).execute(context)

    def _results(self, variables: dict, region: str) -> list:
        if not self._wise:
            return self._whole_results(region, variables)
        results = [None] * len(self.everything)
        if self._whole:
            for position, result in zip(self._whole, self._whole_results(region, variables)):
                results[position] = result
        per_member = self._per_member(region, variables.get("members", []))
        for k, (position, wise) in enumerate(self._wise):
            results[position] = self._wise_result(position, k, wise, per_member, region, variables)
        return results

    def evaluate(self, facts) -> tuple[list[bool], dict]:
        """Whether each criterion, then each exclusion, passed, and the context it read (with `params`)."""
        region = facts.region_code
        variables = self.variables(facts)
        results = self._results(variables, region)
        variables[PARAMS] = self.params_for(region)
        return [(r is not True) if ex else (r is True) for ex, r in zip(self.exclusion, results)], variables

    def approves(self, facts) -> bool:
        """`all(self.evaluate(facts)[0])`, stopping at the first expression evaluated whole that fails:
        the members are then not even looked at (what a preview counts)."""
        if not self._wise or not self._whole or self._members_to_cel:
            return all(self.evaluate(facts)[0])
        region = facts.region_code
        variables = {name: HOUSEHOLD_VALUES[name](facts) for name in self.household_facts}
        exclusion = self.exclusion
        for position, result in zip(self._whole, self._whole_results(region, variables)):
            if (result is True) if exclusion[position] else (result is not True):
                return False
        per_member = self._per_member(region, variables.setdefault("members", self.members(facts)))
        for k, (position, wise) in enumerate(self._wise):
            result = self._wise_result(position, k, wise, per_member, region, variables)
            if (result is True) if exclusion[position] else (result is not True):
                return False
        return True

    def explanation_json(self, variables: dict, passes: list[bool], region_code: str) -> str:
        """`compiled.explain(variables, passes)` as JSON (what a JSON column stores), made from the rule
        set's text serialised once and each value the household's criteria read serialised once."""
        params = self._params_json.get(region_code)
        if params is None:
            params = self._params_json[region_code] = {
                f"{PARAMS}.{name}": _compact(value) for name, value in self.params_for(region_code).items()}
        values = {name: _json(variables[name]) for name in self.household_facts}
        for name in self.member_facts:
            values[f"members.{name}"] = _json([m[name] for m in variables["members"]])
        values.update(params)
        fills = []
        for fill in self._fills:
            if type(fill) is str:
                fills.append(values[fill] if fill in values else "null")
            else:
                passed = passes[fill[0]]
                fills.append(_TRUE_FALSE[not passed if fill[1] else passed])
                fills.append(_TRUE_FALSE[passed])
        return self._template % tuple(fills)

