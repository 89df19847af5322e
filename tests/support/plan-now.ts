/**
 * jest setupFiles: every suite judges time-bound config facts (Kubernetes support windows, the budget's month) on the
 * Azure facts' own date, as the shared plan does (plan-runner.js --now), so no test result depends on today's date.
 */
import { factsDate } from "../../config/azure-facts";
import { setPlanNow } from "../../config/clock";

setPlanNow(factsDate());
