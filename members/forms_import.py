from django import forms

from config.forms import StyledFormMixin

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> forms.Field:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                "只支持 .xlsx 格式的 Excel 文件；.xls 或 .csv 请先用 Excel / WPS 另存为 .xlsx。"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 20 MB。")
        return upload
