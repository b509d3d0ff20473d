// A customization hook (--loader, or module.register) that sees every resolution and changes none.
export async function resolve(specifier, context, next) {
  return next(specifier, context);
}
