import pytest


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Run report tasks in-process, even in CI's pass with a broker: these tests hold uncommitted rows.

    Tests marked `services` hand committed rows to a real worker and keep the broker.
    """
    if request.node.get_closest_marker("services"):
        yield
        return
    from shaho.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
