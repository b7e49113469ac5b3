"""The database backend passes the search contract."""

from django.test import TestCase

from search.backends.database import DatabaseBackend
from tests.search.contract import SearchContract


class DatabaseBackendContract(SearchContract, TestCase):
    @classmethod
    def make_backend(cls):
        return DatabaseBackend()
