package config

// LoadValid loads and validates in one step, reporting every problem at once: keys that
// do not parse or do not exist, and values that parse but are not allowed.
func LoadValid(values map[string]string) (Stack, error) {
	s, loadErr := Load(values)
	var problems []string
	if e, ok := loadErr.(*Error); ok {
		problems = append(problems, e.Problems...)
	} else if loadErr != nil {
		return s, loadErr
	}
	if e, ok := s.Validate().(*Error); ok {
		problems = append(problems, e.Problems...)
	}
	if len(problems) > 0 {
		return s, &Error{Problems: problems}
	}
	return s, nil
}
