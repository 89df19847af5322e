// The schema packages (kubernetes-models, @kubernetes-models/*) publish only an "import" export condition.
// Resolve them (and their own imports) with it; every other package keeps jest's CommonJS conditions.
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/)/;
module.exports = (request, options) => {
    const fromEsmOnly = options.basedir && /node_modules\/(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex|ip-regex)\//.test(options.basedir);
    if (ESM_ONLY.test(request) || (fromEsmOnly && !request.startsWith("."))) {
        return options.defaultResolver(request, { ...options, conditions: ["import", "default", "node"] });
    }
    return options.defaultResolver(request, options);
};
