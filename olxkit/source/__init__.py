"""Reading a course project: course.yaml, instances, modules, lessons, components, assets, YAML and Markdown."""
