from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "relais.core.contacts"
    label = "contacts"

    def ready(self):
        # A workspace's contacts are records of its sandboxes.
        from relais.core.contacts.models import Company, CompanyContact, Person
        from relais.core.workspaces.sandbox import register_sandbox_models

        register_sandbox_models(Person, Company, CompanyContact)
