import table from "../../config/upstream/azure-native-taggable-types.json";
import { azureNativeRoot, scanTaggableTypes } from "../../tools/gen-taggable-types";

test("the committed taggable-types table matches the installed @pulumi/azure-native (run npm run gen:taggable after a bump)", () => {
    const installed = require("@pulumi/azure-native/package.json").version;
    expect(table.version).toBe(installed);
    expect(table.types).toEqual(scanTaggableTypes(azureNativeRoot()));
});
