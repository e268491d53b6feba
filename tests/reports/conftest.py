import pytest


@pytest.fixture(autouse=True)
def _report_tasks_in_process(tasks_in_process):
    """Report tasks in-process here (tests/conftest.py `tasks_in_process`)."""
