from django.contrib import admin, messages

from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create
from dsrs.readonly_admin import ReadOnlyModelAdmin

from . import dlq
from .models import DeadLetter, OutboxEvent


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "status", "consumer_group", "event_type", "topic", "attempts", "error_type", "created_at")
    list_filter = ("status", "consumer_group", "topic", "error_type")
    search_fields = ("event_id", "key", "error")
    date_hierarchy = "created_at"
    actions = ["replay"]

    def has_replay_permission(self, request):
        return request.user.has_perm("events.change_deadletter")

    @admin.action(description="Replay the selected dead letters (republish the original events)", permissions=["replay"])
    def replay(self, request, queryset):
        replayed, skipped = 0, []
        for letter in queryset.filter(status=DeadLetter.Status.PENDING):
            try:
                dlq.dead_letter_replay(dead_letter=letter)
                replayed += 1
            except dlq.NotReplayable as exc:
                skipped.append(str(exc))
        audit_record_create(request=request, action=AuditRecord.Action.UPDATE, object_type="events.deadletter",
                            object_ids=queryset.values_list("id", flat=True), channel="admin", reason="replayed")
        self.message_user(request, f"Replayed {replayed} dead letter(s).", messages.SUCCESS)
        for reason in skipped:
            self.message_user(request, reason, messages.WARNING)


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "event_type", "key", "topic", "created_at", "sent_at", "position")
    list_filter = ("event_type", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("event_id", "key")
