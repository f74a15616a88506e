"""The agenda: appointments (recurring or not), holidays, follow-ups, iCalendar export."""
