# A JupyterHub for trying the course as a class on one machine: learners log in with a shared
# password, each gets a server and a home folder of their own under ./homes, and every kernel
# loads adkernel by itself. tests/test_hub.py starts exactly this file (docs/teaching.md,
# "Try the whole class on one machine").
#
# Run it from an empty folder: `jupyterhub -f jupyterhub_config.py`. It keeps its database,
# cookie secret and the homes in the current folder.
#
# NOT FOR A REAL CLASS: every learner's server runs as the Unix user who started the hub, so a
# learner's code can read and change the other learners' homes. For a class, use The Littlest
# JupyterHub or Zero to JupyterHub (each learner a user or a container of their own).
import os
import sys

c = get_config()  # noqa: F821 (JupyterHub provides get_config)

here = os.getcwd()

# Who may log in: the learners share one password, the teacher is the hub's admin.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["ADKERNEL_HUB_PASSWORD"]  # 8+ chars
c.SharedPasswordAuthenticator.admin_password = os.environ["ADKERNEL_HUB_ADMIN_PASSWORD"]  # 32+
c.Authenticator.allowed_users = {"ada", "bo"}
c.Authenticator.admin_users = {"teacher"}

# Only this machine can reach the hub (open it to your network with --ip).
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = 8000

# One server per learner, started from this Python, in the learner's own ./homes/NAME.
c.JupyterHub.spawner_class = "simple"  # jupyterhub.spawner.SimpleLocalProcessSpawner
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(here, "homes", "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
# The kernel installed with `python -m adkernel install-kernel --prefix kernels --name python3`
# replaces the plain Python 3 kernel: every notebook's kernel loads adkernel at start.
c.Spawner.environment = {"JUPYTER_PATH": os.path.join(here, "kernels", "share", "jupyter")}
if os.geteuid() == 0:  # in a container as root: Jupyter servers refuse root unless told
    c.Spawner.args = ["--allow-root"]
