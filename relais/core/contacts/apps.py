from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "relais.core.contacts"
    label = "contacts"
