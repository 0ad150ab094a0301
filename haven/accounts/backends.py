from django.contrib.auth.backends import ModelBackend


class HavenBackend(ModelBackend):
    """Frozen accounts cannot log in."""

    def user_can_authenticate(self, user):  # type: ignore[no-untyped-def]
        return super().user_can_authenticate(user) and getattr(user, "frozen_at", None) is None
