"""The admin's bulk import: upload a file, read the job it became, download its error report."""

import re
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from dsrs.access import caller_of
from dsrs.audit.models import AuditRecord
from dsrs.audit.services import audit_record_create
from dsrs.readonly_admin import ReadOnlyModelAdmin

from . import importing
from .models import ImportJob

IMPORT_PERMISSION = "registry.import_households"
# The report holds the rejected rows as typed, PhilSys and phone numbers included.
REPORT_PERMISSIONS = (IMPORT_PERMISSION, "registry.view_unmasked_personal_data")


@cache
def _template(source: str):
    return engines["django"].from_string(source)


CHANGE_LIST = """{% extends "admin/change_list.html" %}
{% block object-tools-items %}{% if may_import %}<li><a href="{{ upload_url }}" class="addlink">Import a file</a></li>
{% endif %}{{ block.super }}{% endblock %}"""

UPLOAD = """{% extends "admin/base_site.html" %}
{% block breadcrumbs %}<div class="breadcrumbs"><a href="{% url 'admin:index' %}">Home</a> &rsaquo;
<a href="{% url 'admin:registry_importjob_changelist' %}">Import jobs</a> &rsaquo; Import a file</div>{% endblock %}
{% block content %}
<p>A CSV (UTF-8) or XLSX file, one row per member. Required columns: {{ required_columns|join:", " }}.
Optional: {{ optional_columns|join:", " }}. Households imported before (same household_ref) are skipped;
rejected rows come back in an error report to fix and upload again.</p>
<form method="post" enctype="multipart/form-data">{% csrf_token %}{{ form.as_p }}
<input type="submit" value="Import"></form>
{% endblock %}"""


class ImportUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyModelAdmin):
    list_display = ("started_at", "file_name", "status", "rows_total", "households_created",
                    "households_already_imported", "rows_rejected", "duplicates_flagged", "started_by")
    list_filter = ("status",)
    search_fields = ("file_name", "file_sha256")
    date_hierarchy = "started_at"
    fields = ("file_name", "file_sha256", "status", "started_by", "started_at", "finished_at", "rows_total",
              "households_created", "households_already_imported", "households_rejected", "rows_rejected",
              "duplicates_flagged", "error_report_download", "failure")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @property
    def change_list_template(self):
        return _template(CHANGE_LIST)

    @admin.display(description="households rejected")
    def households_rejected(self, job):
        return importing.households_rejected_in(job.error_report) if job.rows_rejected else 0

    @admin.display(description="error report")
    def error_report_download(self, job):
        if not job.rows_rejected:
            return "nothing rejected"
        return format_html('<a href="{}">download the {} rejected rows (CSV)</a>',
                           reverse("admin:registry_importjob_error_report", args=[job.pk]), job.rows_rejected)

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="registry_importjob_upload"),
            path("<uuid:job_id>/error-report/", self.admin_site.admin_view(self.error_report_view),
                 name="registry_importjob_error_report"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": request.user.has_perm(IMPORT_PERMISSION),
                         "upload_url": reverse("admin:registry_importjob_upload")}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied("Importing households needs the permission to import them.")
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # In the web process itself: no worker processes forked from a web server's worker.
                summary = importing.households_import(file=upload.file, file_name=upload.name, user=request.user,
                                                      regions=caller_of(request).regions, workers=1)
            except importing.ImportFileInvalid as invalid:
                form.add_error("file", str(invalid))
            else:
                self.message_user(request, _outcome(summary),
                                  messages.WARNING if summary.rows_rejected else messages.SUCCESS)
                return redirect("admin:registry_importjob_change", summary.job.pk)
        context = {**self.admin_site.each_context(request), "title": "Import households from a file", "form": form,
                   "opts": self.model._meta, "required_columns": importing.REQUIRED_COLUMNS,
                   "optional_columns": sorted(importing.OPTIONAL_COLUMNS)}
        return TemplateResponse(request, _template(UPLOAD), context)

    def error_report_view(self, request, job_id):
        if not request.user.has_perms(REPORT_PERMISSIONS):
            raise PermissionDenied("The error report holds personal data in full.")
        job = get_object_or_404(ImportJob, pk=job_id)
        audit_record_create(request=request, action=AuditRecord.Action.EXPORT, object_type="registry.importjob",
                            object_ids=[job.pk], fields=["error_report"], channel="admin")
        response = HttpResponse(job.error_report, content_type="text/csv; charset=utf-8")
        stem = re.sub(r"[^\w.-]", "_", job.file_name.rsplit(".", 1)[0])
        response["Content-Disposition"] = f'attachment; filename="{stem}.errors.csv"'
        return response


def _outcome(summary: importing.ImportSummary) -> str:
    outcome = (f"{summary.rows} rows: {summary.households_created} households created, "
               f"{summary.households_already_imported} imported already, {summary.duplicates_flagged} probable "
               "duplicates flagged for review.")
    if summary.rows_rejected:
        outcome += (f" {summary.rows_rejected} rows ({summary.households_rejected} households) were NOT imported: "
                    "download the error report below, fix it and upload it again.")
    return outcome
