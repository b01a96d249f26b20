"""Live exercises over the engine: one layer for the terminal and the web.

* :mod:`.live` -- :class:`Exercises`, the operations (create, moves,
  adjudication, white-cell decisions, publication, injects, messages, notes);
* :mod:`.states` -- the state machine;
* :mod:`.turn` -- the engine under the exercise (rebuild, look, try, probe);
* :mod:`.views` -- what each role may see (the one place isolation lives);
* :mod:`.msel` -- the white cell's changes to the scenario's injects;
* :mod:`.tokens` -- access tokens and roles; :mod:`.bus` -- live notices;
* :mod:`.schema` -- the tables (migration 0004 of the run store).
"""

from whitecell.exercise.live import Created, Exercises, Snap
from whitecell.exercise.states import ExerciseError, Status
from whitecell.exercise.tokens import WHITE, Role

__all__ = ["Created", "ExerciseError", "Exercises", "Role", "Snap", "Status", "WHITE"]
