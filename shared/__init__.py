"""Small pieces every layer may use: they import nothing of the project's other packages."""
