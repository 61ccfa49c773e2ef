"""The ground floor: errors, user paths, atomic files, options and signatures, the shared
documents, the configuration file. Imports nothing else of the package."""
