// The comment step of action.yml: posts the plan as one pull-request comment, updated in place on later
// pushes. Everything comes from the environment the step sets (see runCommentStep); nothing is spliced
// into this script by an expression.
import { runCommentStep } from "../lib/action/comment.ts";

process.exitCode = await runCommentStep(process.env, { log: (line) => process.stdout.write(`${line}\n`) });
