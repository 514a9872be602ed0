# sam build runs this target for ReconcileFunction (template.yaml: Metadata.BuildMethod makefile).
# The project's own esbuild script bundles the handler, embeds desired-state/ and stamps its git revision.
build-ReconcileFunction:
	npm run --silent build:lambda -- "$(ARTIFACTS_DIR)"
