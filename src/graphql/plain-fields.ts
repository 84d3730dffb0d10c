// Fields that only read a property of their object resolve by reading it, without type-graphql's wrapper. type-graphql
// gives every field of a type not marked `simpleResolvers` a resolver that allocates its resolver data and runs the
// (empty) middleware chain: measurable on the ~900 fields of a conversation list (issue 17). Its `simpleResolvers`
// option cannot be used instead: it reads the field's schema name, and some fields are getters under another name
// (`id` is `nodeId`). A field keeps type-graphql's resolver when it has a field resolver, a middleware or a rule.
import { isObjectType, type GraphQLSchema } from "graphql";
import { getMetadataStorage } from "type-graphql";

export function readPlainFieldsDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  // As type-graphql pairs them: a field resolver is the field of its object type with the method's name.
  const hasResolver = (target: Function, name: string) => storage.fieldResolvers.some((r) => r.getObjectType?.() === target && r.methodName === name);
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      if (field.roles?.length || field.middlewares?.length || hasResolver(field.target, field.name)) continue;
      const target = fields[field.schemaName];
      const property = field.name;
      if (target) target.resolve = (root: Record<string, unknown>) => root[property];
    }
  }
}
