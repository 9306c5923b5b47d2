"""Rule sets: drafts edited and checked as they are saved, published one per program, retired."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Program, RuleSet
from ..rules import RuleSetError, compile_rule_set

RULE_FIELDS = ("criteria", "exclusions", "parameters", "region_parameters")


def rule_set_check(*, criteria, exclusions, parameters, region_parameters) -> None:
    """Refuse what may not be saved, with the library's message and position for each expression."""
    try:
        compile_rule_set(criteria=criteria, exclusions=exclusions, parameters=parameters,
                         region_parameters=region_parameters)
    except RuleSetError as exc:
        raise ValidationError({path: [message] for path, message in exc.errors.items()}) from None


@transaction.atomic
def rule_set_create(*, program: Program, criteria: list, exclusions: list = (), parameters: dict | None = None,
                    region_parameters: dict | None = None, notes: str = "") -> RuleSet:
    """A new draft, numbered after the program's last rule set."""
    parameters, region_parameters, exclusions = parameters or {}, region_parameters or {}, list(exclusions)
    rule_set_check(criteria=criteria, exclusions=exclusions, parameters=parameters, region_parameters=region_parameters)
    program = Program.objects.select_for_update().get(pk=program.pk)
    version = (program.rule_sets.aggregate(v=Max("version"))["v"] or 0) + 1
    return RuleSet.objects.create(program=program, version=version, criteria=criteria, exclusions=exclusions,
                                  parameters=parameters, region_parameters=region_parameters, notes=notes)


@transaction.atomic
def rule_set_update(*, rule_set: RuleSet, **changes) -> RuleSet:
    """Change a draft; a published or retired rule set is refused (RuleSet.save refuses it too)."""
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSet.Status.DRAFT:
        raise ValidationError(f"rule set v{rule_set.version} is {rule_set.status} and cannot be changed")
    unknown = set(changes) - {*RULE_FIELDS, "notes"}
    if unknown:
        raise TypeError(f"not a field of a rule set's draft: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(rule_set, name, value)
    rule_set_check(**{name: getattr(rule_set, name) for name in RULE_FIELDS})
    rule_set.save()
    return rule_set


@transaction.atomic
def rule_set_publish(*, rule_set: RuleSet, reassess: bool = True):
    """Publish a draft: the program's published rule set is retired, this one decides from now on.

    Answers the re-assessment job of the program's households (run by a Celery task after commit), or
    None with `reassess=False`.
    """
    from .reassessment import reassessment_start

    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status != RuleSet.Status.DRAFT:
        raise ValidationError(f"rule set v{rule_set.version} is {rule_set.status}; only a draft can be published")
    rule_set_check(**{name: getattr(rule_set, name) for name in RULE_FIELDS})
    program = Program.objects.select_for_update().get(pk=rule_set.program_id)
    now = timezone.now()
    for published in program.rule_sets.filter(status=RuleSet.Status.PUBLISHED):
        published.status, published.retired_at = RuleSet.Status.RETIRED, now
        published.save(update_fields=["status", "retired_at"])
    rule_set.status, rule_set.published_at = RuleSet.Status.PUBLISHED, now
    rule_set.save(update_fields=["status", "published_at"])
    program.current_rule_set = rule_set
    program.save(update_fields=["current_rule_set", "updated_at"])
    if not reassess:
        return None
    job = reassessment_start(program=program)
    transaction.on_commit(lambda: _enqueue(job.id))
    return job


def _enqueue(job_id) -> None:
    from ..tasks import reassessment_run_task

    reassessment_run_task.delay(str(job_id))


@transaction.atomic
def rule_set_retire(*, rule_set: RuleSet) -> RuleSet:
    """Retire a rule set; a retired published one leaves its program with none (nothing is assessed)."""
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    if rule_set.status == RuleSet.Status.RETIRED:
        return rule_set
    rule_set.status, rule_set.retired_at = RuleSet.Status.RETIRED, timezone.now()
    rule_set.save(update_fields=["status", "retired_at"])
    Program.objects.filter(current_rule_set=rule_set).update(current_rule_set=None)
    return rule_set
