"""Personal numbers in one canonical ASCII spelling: the validators take ASCII digits only, and every
stored number typed in another script's digits is rewritten in ASCII with its blind index recomputed.

Before, `\\d` let '٤' through while the blind index dropped it, so such a number could register a
second time (its index differed from the ASCII one's). Where re-indexing finds two members with one
number, the first registered keeps the index and the later one keeps its number unindexed and is
queued for the duplicate review (nothing is merged or deleted). The phone rule is this migration's
own copy; the ASCII folding and the index are the kernel's (dsrs.personal_data).
"""

import django.core.validators
import encrypted_fields.fields
from django.db import migrations
from rapidfuzz import fuzz, utils

from dsrs.personal_data import ascii_form, blind_index

BATCH = 1000


def _canonical(field, value):
    if not value:
        return None
    value = ascii_form(value)
    return "0" + value[3:] if field == "phone_number" and value.startswith("+63") else value


def _full_name(member):
    return " ".join(p for p in (member.given_name, member.middle_name, member.family_name, member.suffix) if p)


def reindex_households(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    changed = []
    for household in Household.objects.order_by("pk").iterator(chunk_size=BATCH):
        before = [getattr(household, f) for f in ("phone_number", "payout_account", "phone_index",
                                                  "payout_account_index")]
        for field, index in (("phone_number", "phone_index"), ("payout_account", "payout_account_index")):
            value = _canonical(field, getattr(household, field))
            setattr(household, field, value)
            setattr(household, index, blind_index(value, purpose=field))
        if [household.phone_number, household.payout_account, household.phone_index,
                household.payout_account_index] != before:
            changed.append(household)
    Household.objects.bulk_update(changed, ["phone_number", "payout_account", "phone_index", "payout_account_index"],
                                  batch_size=BATCH)


def reindex_members(apps, schema_editor):
    Member = apps.get_model("registry", "Member")
    DuplicateCandidate = apps.get_model("registry", "DuplicateCandidate")
    holder, changed, flags = {}, [], []
    for member in (Member.objects.filter(philsys_number__isnull=False).order_by("created_at", "id")
                   .iterator(chunk_size=BATCH)):
        number = _canonical("philsys_number", member.philsys_number)
        index = blind_index(number, purpose="philsys_number")
        first = holder.setdefault(index, member) if index else member
        if first is not member:
            flags.append(DuplicateCandidate(
                member=member, matches=first, reason="the same PhilSys number (found when numbers were made ASCII)",
                similarity=round(fuzz.token_sort_ratio(_full_name(member), _full_name(first),
                                                       processor=utils.default_process), 2)))
            index = ""
        if (number, index) != (member.philsys_number, member.philsys_index):
            member.philsys_number, member.philsys_index = number, index
            changed.append(member)
    # Indexes that move are cleared first, so that none is ever held twice on the way.
    for start in range(0, len(changed), BATCH):
        Member.objects.filter(pk__in=[m.pk for m in changed[start:start + BATCH]]).update(philsys_index="")
    Member.objects.bulk_update(changed, ["philsys_number", "philsys_index"], batch_size=BATCH)
    DuplicateCandidate.objects.bulk_create(flags, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_fewer_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalhousehold',
            name='phone_number',
            field=encrypted_fields.fields.EncryptedCharField(blank=True, help_text='encrypted', max_length=13, null=True, validators=[django.core.validators.RegexValidator('^(\\+639|09)[0-9]{9}$', 'A mobile number looks like 09171234567 or +639171234567.')]),
        ),
        migrations.AlterField(
            model_name='historicalmember',
            name='philsys_number',
            field=encrypted_fields.fields.EncryptedCharField(blank=True, help_text='PhilSys number (encrypted)', max_length=16, null=True, validators=[django.core.validators.RegexValidator('^([0-9]{12}|[0-9]{16})$', 'A PhilSys number has 12 digits (PSN) or 16 (card number, PCN).')]),
        ),
        migrations.AlterField(
            model_name='household',
            name='phone_number',
            field=encrypted_fields.fields.EncryptedCharField(blank=True, help_text='encrypted', max_length=13, null=True, validators=[django.core.validators.RegexValidator('^(\\+639|09)[0-9]{9}$', 'A mobile number looks like 09171234567 or +639171234567.')]),
        ),
        migrations.AlterField(
            model_name='member',
            name='philsys_number',
            field=encrypted_fields.fields.EncryptedCharField(blank=True, help_text='PhilSys number (encrypted)', max_length=16, null=True, validators=[django.core.validators.RegexValidator('^([0-9]{12}|[0-9]{16})$', 'A PhilSys number has 12 digits (PSN) or 16 (card number, PCN).')]),
        ),
        migrations.RunPython(reindex_households, migrations.RunPython.noop),
        migrations.RunPython(reindex_members, migrations.RunPython.noop),
    ]
