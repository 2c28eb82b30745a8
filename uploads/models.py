"""A resumable upload (tus 1.0.0) on its way in.

The bytes live in MEDIA_ROOT/uploads/partial/<id> (on S3-compatible storage: a multipart
upload, see uploads/s3.py) until a feature claims the finished upload
and moves the file into place (`uploads.services`). An upload nobody claims is removed after a
day by `uploads_cleanup`.
"""

import uuid

from django.conf import settings
from django.db import models


class UploadQuerySet(models.QuerySet["Upload"]):
    def pending(self) -> "UploadQuerySet":
        return self.filter(claimed_at__isnull=True)

    def completed(self) -> "UploadQuerySet":
        return self.filter(completed_at__isnull=False)


class Upload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    filename = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField("大小")  # Upload-Length: what the client announced
    offset = models.BigIntegerField("已接收", default=0)  # bytes safely on disk
    metadata = models.JSONField(default=dict, blank=True)  # Upload-Metadata, decoded
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # On S3-compatible storage (uploads/s3.py): the multipart upload, its whole parts
    # ([{"n", "etag", "size"}]), and the lock that lets one request on any node write.
    s3_upload_id = models.CharField(max_length=1024, blank=True)
    parts = models.JSONField(default=list, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = "上传"
        verbose_name_plural = "上传"
        indexes = [models.Index(fields=["updated_at"], name="upload_updated_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset__gte=0) & models.Q(offset__lte=models.F("size")),
                name="upload_offset_within_size",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class AttachedFile(models.Model):
    """What a feature keeps of a claimed upload (a meeting's photo, a candidate's 申请书 …):
    its facts beside the stored file. Each feature's model adds the FileField (its own
    upload_to) and the foreign key to what the file belongs to; `attach_uploads` fills it."""

    original_name = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
