from django.contrib import admin

from dsrs.readonly_admin import ReadOnlyModelAdmin

from .models import Cell, State


@admin.register(Cell)
class CellAdmin(ReadOnlyModelAdmin):
    list_display = ("measure", "level", "region_code", "municipality_code", "program_code", "cycle", "day", "n",
                    "amount", "generation")
    list_filter = ("measure", "level", "program_code", "generation")


@admin.register(State)
class StateAdmin(ReadOnlyModelAdmin):
    list_display = ("key", "generation")
    search_fields = ("key",)
