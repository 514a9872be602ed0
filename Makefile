# sam build runs this target for ReconcileFunction (template.yaml: Metadata.BuildMethod makefile).
# The project's own esbuild script bundles the handler, embeds desired-state/ and stamps its git revision.
# It deletes its output folder first: an empty ARTIFACTS_DIR (make run by hand, without sam) is refused
# here, before anything runs; the script refuses it too, and any folder it did not create.
build-ReconcileFunction:
	$(if $(strip $(ARTIFACTS_DIR)),,$(error ARTIFACTS_DIR is empty: it is the folder to build into, and the build deletes it first. Run `sam build`, which sets it, or `make build-ReconcileFunction ARTIFACTS_DIR=dist/lambda`))
	npm run --silent build:lambda -- "$(ARTIFACTS_DIR)"
