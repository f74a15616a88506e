from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.training.snapshots import workbook


class SnapshotImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("Classeur Excel (.xlsx)"),
        help_text=_("Un classeur exporté par Relais (« Sauvegarder ma base »), 50 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que le contenu actuel de cet espace sera remplacé."),
        required=True,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > workbook.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Le fichier est trop volumineux (au plus %(max)s Mo).")
                % {"max": workbook.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
