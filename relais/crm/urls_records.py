"""URLs of the record screens: invoices, after-sales, activities, notes, leads, field view."""

from django.urls import path

from relais.crm.views import activities, aftersales, fields, invoices, leads, notes

CUSTOMER = "clients/<uuid:customer_id>/"

urlpatterns = [
    # Invoices
    path(f"{CUSTOMER}factures/", invoices.InvoiceListView.as_view(), name="customer-invoices"),
    path(
        f"{CUSTOMER}factures/nouvelle/", invoices.InvoiceCreateView.as_view(), name="invoice-create"
    ),
    path(
        "factures/<uuid:invoice_id>/", invoices.InvoiceDetailView.as_view(), name="invoice-detail"
    ),
    path(
        "factures/<uuid:invoice_id>/modifier/",
        invoices.InvoiceUpdateView.as_view(),
        name="invoice-edit",
    ),
    path(
        "factures/<uuid:invoice_id>/supprimer/",
        invoices.InvoiceDeleteView.as_view(),
        name="invoice-delete",
    ),
    # After-sales
    path(
        f"{CUSTOMER}apres-vente/", aftersales.AfterSalesView.as_view(), name="customer-aftersales"
    ),
    # Activities
    path(
        f"{CUSTOMER}activites/", activities.ActivityListView.as_view(), name="customer-activities"
    ),
    path(
        f"{CUSTOMER}activites/nouvelle/",
        activities.ActivityCreateView.as_view(),
        name="activity-create",
    ),
    path(
        "activites/<uuid:activity_id>/modifier/",
        activities.ActivityUpdateView.as_view(),
        name="activity-edit",
    ),
    path(
        "activites/<uuid:activity_id>/supprimer/",
        activities.ActivityDeleteView.as_view(),
        name="activity-delete",
    ),
    # Notes
    path(f"{CUSTOMER}notes/", notes.NoteListView.as_view(), name="customer-notes"),
    path(f"{CUSTOMER}notes/nouvelle/", notes.NoteCreateView.as_view(), name="note-create"),
    path("notes/<uuid:note_id>/modifier/", notes.NoteUpdateView.as_view(), name="note-edit"),
    path("notes/<uuid:note_id>/supprimer/", notes.NoteDeleteView.as_view(), name="note-delete"),
    # Leads
    path("leads/", leads.LeadListView.as_view(), name="lead-list"),
    path("leads/nouveau/", leads.LeadCreateView.as_view(), name="lead-create"),
    path("leads/<uuid:lead_id>/modifier/", leads.LeadUpdateView.as_view(), name="lead-edit"),
    path("leads/<uuid:lead_id>/supprimer/", leads.LeadDeleteView.as_view(), name="lead-delete"),
    path("leads/<uuid:lead_id>/convertir/", leads.LeadConvertView.as_view(), name="lead-convert"),
    # Any field across every record
    path("champs/", fields.FieldGridView.as_view(), name="field-grid"),
]
