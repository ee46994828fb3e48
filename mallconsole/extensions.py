"""Flask extensions, created here and bound to the app in ``create_app``."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from mallconsole.models.base import Base

# Models derive from our own typed ``Base``; Flask-SQLAlchemy shares its metadata.
db = SQLAlchemy(metadata=Base.metadata)
csrf = CSRFProtect()
migrate = Migrate()
# Sessions are server rows (auth.principal loads them per request); no remember-me cookie.
login_manager = LoginManager()
